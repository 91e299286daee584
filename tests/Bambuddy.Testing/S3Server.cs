using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Bambuddy.Testing;

/// <summary>
/// A real S3 server for tests: npm's s3rver 3.7.1 (from <c>eng/node/</c>, installed by <c>eng/install-s3rver.sh</c>
/// when missing) run with node directly, on a free loopback port, with its data in its own temp folder.
/// Use it as an xunit class or collection fixture, or call <see cref="StartAsync"/>. It is stopped by its own
/// process id on dispose and at process exit.
/// </summary>
public sealed class S3Server : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>s3rver's fixed credentials (it checks the access key, not the signature).</summary>
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private const string FolderPrefix = "bambuddy-s3-";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly StringBuilder _log = new();
    private Process? _process;
    private string? _folder;
    private int _stopped;

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    /// <summary>The endpoint as <c>host:port</c>, the form S3 clients such as Minio take.</summary>
    public string Endpoint => $"{Host}:{Port}";

    public Uri Url => new($"http://{Endpoint}/");

    /// <summary>The node process's id (node runs s3rver itself, with no wrapper).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>Where s3rver keeps buckets and objects.</summary>
    public string DataDirectory => Path.Combine(_folder ?? throw new InvalidOperationException("The server is not started."), "data");

    public static async Task<S3Server> StartAsync(CancellationToken cancellationToken)
    {
        var server = new S3Server();
        try
        {
            await server.StartCoreAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    async Task IAsyncLifetime.InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        await StartCoreAsync(timeout.Token);
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>The repository root: the first folder up from the test binaries holding <c>Bambuddy.sln</c>.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Bambuddy.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Bambuddy.sln above {AppContext.BaseDirectory}.");
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await ServerFolders.StopAsync(_process, _folder);
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        if (_folder is not null)
        {
            throw new InvalidOperationException("The server is already started.");
        }

        var script = await EnsureInstalledAsync(cancellationToken);
        _folder = ServerFolders.Create(FolderPrefix);
        Directory.CreateDirectory(DataDirectory);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;

        // A free port can be taken between probing and binding: try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = ServerFolders.FreePort();
            if (await TryStartAsync(script, cancellationToken))
            {
                return;
            }

            if (attempt == 3)
            {
                throw new InvalidOperationException($"s3rver did not start:\n{Log()}");
            }
        }
    }

    private async Task<bool> TryStartAsync(string script, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[script, "-d", DataDirectory, "-a", Host, "-p", Port.ToString(), "--silent"])
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.ErrorDataReceived += (_, e) => OnLogLine(e.Data);
        process.OutputDataReceived += (_, e) => OnLogLine(e.Data);
        process.Start();
        _process = process;
        ServerFolders.RecordServer(_folder!, process.Id);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        // Ready when it accepts a connection; each refused attempt waits on the exit task, not a fixed sleep.
        var exited = process.WaitForExitAsync(cancellationToken);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                await exited;
                process.Dispose();
                _process = null;
                return false;
            }

            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(Host, Port, cancellationToken);
                return true;
            }
            catch (SocketException)
            {
                using var pause = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                pause.CancelAfter(TimeSpan.FromMilliseconds(25));
                await exited.WaitAsync(pause.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>The s3rver entry script, installing and patching s3rver first when it is missing.</summary>
    private static async Task<string> EnsureInstalledAsync(CancellationToken cancellationToken)
    {
        var root = RepositoryRoot();
        var script = Path.Combine(root, "eng", "node", "node_modules", "s3rver", "bin", "s3rver.js");
        if (File.Exists(script) && IsPatched(Path.GetDirectoryName(Path.GetDirectoryName(script))!))
        {
            return script;
        }

        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        info.ArgumentList.Add(Path.Combine(root, "eng", "install-s3rver.sh"));
        using var install = Process.Start(info) ?? throw new InvalidOperationException("Could not run eng/install-s3rver.sh.");
        var output = install.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = install.StandardError.ReadToEndAsync(cancellationToken);
        await install.WaitForExitAsync(cancellationToken);
        if (install.ExitCode != 0 || !File.Exists(script))
        {
            throw new InvalidOperationException($"eng/install-s3rver.sh failed ({install.ExitCode}):\n{await output}\n{await error}");
        }

        return script;
    }

    /// <summary>Whether s3rver answers in S3's XML namespace (unpatched, the Minio client silently lists nothing).</summary>
    private static bool IsPatched(string module) =>
        Directory.EnumerateFiles(Path.Combine(module, "lib"), "*.js", SearchOption.AllDirectories)
            .All(file => !File.ReadAllText(file).Contains("http://doc.s3.amazonaws.com/2006-03-01/", StringComparison.Ordinal));

    private void OnLogLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Length < 64 * 1024)
            {
                _log.AppendLine(line);
            }
        }
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            ServerFolders.StopAndDelete(_process, _folder);
        }
    }
}
