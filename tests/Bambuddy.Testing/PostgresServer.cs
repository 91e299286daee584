using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using Xunit;

namespace Bambuddy.Testing;

/// <summary>
/// A real PostgreSQL 15 server for tests: a fresh cluster in its own temp folder, on a free loopback
/// port, with a generated password (scram-sha-256). Use it as an xunit class or collection fixture,
/// or call <see cref="StartAsync"/>. It is stopped by its own process id on dispose and at process exit.
/// </summary>
public sealed partial class PostgresServer : IAsyncLifetime, IAsyncDisposable
{
    public const string Username = "postgres";
    private const string FolderPrefix = "bambuddy-pg-";
    private const string OwnerFile = "owner.pid";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;
    private string? _folder;
    private int _stopped;

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public string Password { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    /// <summary>The postmaster's process id (setpriv replaces itself with postgres).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The server is not started.");

    public string DataDirectory => Path.Combine(Folder, "data");

    private string Folder => _folder ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>Where the binaries are: <c>BAMBUDDY_PG_BIN</c>, else Debian's PostgreSQL 15.</summary>
    public static string BinDirectory =>
        Environment.GetEnvironmentVariable("BAMBUDDY_PG_BIN") is { Length: > 0 } bin ? bin : "/usr/lib/postgresql/15/bin";

    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken)
    {
        var server = new PostgresServer();
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

    /// <summary>The connection string of a database on this server (the admin database by default).</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = Username,
        Password = Password,
        Database = database,
    }.ConnectionString;

    /// <summary>The same database as Bambuddy's <c>DATABASE_URL</c> names it.</summary>
    public string DatabaseUrl(string database) =>
        $"postgresql+asyncpg://{Username}:{Uri.EscapeDataString(Password)}@{Host}:{Port}/{Uri.EscapeDataString(database)}";

    /// <summary>Creates an empty database and returns its Npgsql connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a plain database name (letters, digits, _ and -).", nameof(name));
        }

        await using var connection = new NpgsqlConnection(AdminConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        if (_process is { } process)
        {
            // SIGINT is PostgreSQL's fast shutdown: pooled idle connections do not hold it up as SIGTERM's would.
            if (!process.HasExited)
            {
                NativeMethods.kill(process.Id, NativeMethods.SigInt);
            }

            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.WaitForExitAsync(CancellationToken.None);
            }

            process.Dispose();
        }

        DeleteFolder(_folder);
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        if (_folder is not null)
        {
            throw new InvalidOperationException("The server is already started.");
        }

        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("PostgresServer runs PostgreSQL the Linux way (setpriv, Unix sockets).");
        }

        DeleteLeftovers();
        var asRoot = NativeMethods.geteuid() == 0;
        _folder = Directory.CreateTempSubdirectory(FolderPrefix).FullName;
        File.WriteAllText(Path.Combine(_folder, OwnerFile), Environment.ProcessId.ToString());
        // The postgres user must be able to reach the data folder through this one.
        File.SetUnixFileMode(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;

        var data = Directory.CreateDirectory(DataDirectory).FullName;
        var socket = Directory.CreateDirectory(Path.Combine(_folder, "sock")).FullName;
        var passwordFile = Path.Combine(_folder, "pwfile");
        File.WriteAllText(passwordFile, Password);
        if (asRoot)
        {
            var (uid, gid) = PostgresUser();
            foreach (var path in new[] { data, socket, passwordFile })
            {
                if (NativeMethods.chown(path, uid, gid) != 0)
                {
                    throw new InvalidOperationException($"chown {path} to postgres failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
                }
            }
        }

        await RunToEndAsync(asRoot, "initdb",
            ["-D", data, "-U", Username, $"--pwfile={passwordFile}", "--auth=scram-sha-256", "--no-locale", "-E", "UTF8", "--no-sync"],
            cancellationToken);
        File.Delete(passwordFile);

        // A free port can be taken between probing and binding: try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            if (await TryStartPostmasterAsync(asRoot, data, socket, cancellationToken))
            {
                return;
            }

            if (attempt == 3)
            {
                throw new InvalidOperationException($"PostgreSQL did not start:\n{Log()}");
            }
        }
    }

    private async Task<bool> TryStartPostmasterAsync(bool asRoot, string data, string socket, CancellationToken cancellationToken)
    {
        var process = CreateProcess(asRoot, "postgres",
        [
            "-D", data, "-k", socket, "-p", Port.ToString(), "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
        ]);
        process.ErrorDataReceived += (_, e) => OnLogLine(e.Data);
        process.OutputDataReceived += (_, e) => OnLogLine(e.Data);
        process.Start();
        _process = process;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var exited = process.WaitForExitAsync(cancellationToken);
        if (await Task.WhenAny(_ready.Task, exited) == exited)
        {
            await exited;
            process.Dispose();
            _process = null;
            return false;
        }

        // The log line says it listens; a real connection proves the password and the port.
        await using var connection = new NpgsqlConnection(AdminConnectionString());
        await connection.OpenAsync(cancellationToken);
        return true;
    }

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

        if (line.Contains("ready to accept connections", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    private string AdminConnectionString() => new NpgsqlConnectionStringBuilder(ConnectionString()) { Pooling = false }.ConnectionString;

    private static async Task RunToEndAsync(bool asRoot, string program, string[] arguments, CancellationToken cancellationToken)
    {
        using var process = CreateProcess(asRoot, program, arguments);
        process.Start();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}):\n{await output}\n{await error}");
        }
    }

    private static Process CreateProcess(bool asRoot, string program, IEnumerable<string> arguments)
    {
        var path = Path.Combine(BinDirectory, program);
        var info = new ProcessStartInfo(asRoot ? "/usr/bin/setpriv" : path)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (asRoot)
        {
            // setpriv replaces itself with the program, so the pid we hold is the program's.
            foreach (var argument in (string[])["--reuid=postgres", "--regid=postgres", "--init-groups", path])
            {
                info.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["LC_ALL"] = "C";
        return new Process { StartInfo = info, EnableRaisingEvents = true };
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static (uint Uid, uint Gid) PostgresUser()
    {
        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var fields = line.Split(':');
            if (fields.Length > 3 && fields[0] == "postgres")
            {
                return (uint.Parse(fields[2]), uint.Parse(fields[3]));
            }
        }

        throw new InvalidOperationException("Running as root needs a 'postgres' user to run PostgreSQL as.");
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        try
        {
            if (_process is { HasExited: false } process)
            {
                NativeMethods.kill(process.Id, NativeMethods.SigInt);
                if (!process.WaitForExit(StopTimeout))
                {
                    process.Kill();
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the signal.
        }

        DeleteFolder(_folder);
    }

    /// <summary>
    /// Folders of earlier runs whose test host was killed: removed once their owner is gone. A postmaster
    /// still running from such a folder (its pid from postmaster.pid, its command line naming the folder)
    /// is an orphan of that run and is shut down first.
    /// </summary>
    private static void DeleteLeftovers()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            try
            {
                if (!int.TryParse(File.ReadAllText(Path.Combine(folder, OwnerFile)).Trim(), out var owner) || IsAlive(owner))
                {
                    continue;
                }

                var postmasterPid = Path.Combine(folder, "data", "postmaster.pid");
                if (File.Exists(postmasterPid) && int.TryParse(File.ReadLines(postmasterPid).FirstOrDefault(), out var postmaster)
                    && IsAlive(postmaster) && File.ReadAllText($"/proc/{postmaster}/cmdline").Contains(folder, StringComparison.Ordinal))
                {
                    using var orphan = Process.GetProcessById(postmaster);
                    NativeMethods.kill(postmaster, NativeMethods.SigQuit);
                    if (!orphan.WaitForExit(StopTimeout))
                    {
                        continue;
                    }
                }

                DeleteFolder(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // Another run may be creating or removing it right now; the next run will look again.
            }
        }
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");

    private static void DeleteFolder(string? folder)
    {
        try
        {
            if (folder is not null && Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,63}$")]
    private static partial Regex DatabaseName();
}
