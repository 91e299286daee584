using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Bambuddy.Testing;

/// <summary>
/// A real MQTT broker for tests: Debian's mosquitto in the foreground, TLS only, on a free loopback port, in its own
/// temp folder, with a CA and a server certificate made here and a password file made by <c>mosquitto_passwd</c>
/// (anonymous clients refused) — a stand-in for a Bambu printer's LAN broker. It is stopped by its own process id on
/// dispose and at process exit.
/// </summary>
public sealed class MosquittoServer : IAsyncDisposable
{
    private const string FolderPrefix = "bambuddy-mqtt-";

    private readonly StringBuilder _log = new();
    private Process? _process;
    private string? _folder;
    private int _stopped;

    private MosquittoServer()
    {
    }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>The CA that signed the server certificate (PEM), for clients that want to validate it.</summary>
    public string CaCertificatePath => Path.Combine(Folder, "ca.crt");

    private string Folder => _folder ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>Starts a broker that accepts exactly these user names and passwords.</summary>
    public static async Task<MosquittoServer> StartAsync(IReadOnlyDictionary<string, string> users, CancellationToken cancellationToken)
    {
        var server = new MosquittoServer();
        try
        {
            await server.StartCoreAsync(users, cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
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

    private async Task StartCoreAsync(IReadOnlyDictionary<string, string> users, CancellationToken cancellationToken)
    {
        _folder = ServerFolders.Create(FolderPrefix);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;

        WriteCertificates(_folder);
        var passwords = Path.Combine(_folder, "passwd");
        File.WriteAllText(passwords, "");
        foreach (var (user, password) in users)
        {
            await RunAsync("mosquitto_passwd", ["-b", passwords, user, password], cancellationToken);
        }

        // A free port can be taken between probing and binding: try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = ServerFolders.FreePort();
            var config = Path.Combine(_folder, "mosquitto.conf");
            File.WriteAllLines(config,
            [
                // As root mosquitto drops to the "mosquitto" user, who cannot read this private folder.
                .. NativeMethods.geteuid() == 0 ? ["user root"] : Array.Empty<string>(),
                "per_listener_settings false",
                "persistence false",
                "log_dest stderr",
                "log_type error",
                "log_type warning",
                "log_type notice",
                "allow_anonymous false",
                $"password_file {passwords}",
                $"listener {Port} {Host}",
                $"cafile {CaCertificatePath}",
                $"certfile {Path.Combine(_folder, "server.crt")}",
                $"keyfile {Path.Combine(_folder, "server.key")}",
            ]);
            if (await TryStartAsync(config, cancellationToken))
            {
                return;
            }

            if (attempt == 3)
            {
                throw new InvalidOperationException($"mosquitto did not start:\n{Log()}");
            }
        }
    }

    private async Task<bool> TryStartAsync(string config, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("/usr/sbin/mosquitto")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(config);

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.ErrorDataReceived += (_, e) => OnLogLine(e.Data);
        process.OutputDataReceived += (_, e) => OnLogLine(e.Data);
        process.Start();
        _process = process;
        ServerFolders.RecordServer(Folder, process.Id);
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

    /// <summary>A CA and a server certificate for 127.0.0.1 it signed, as PEM files mosquitto reads.</summary>
    private static void WriteCertificates(string folder)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Bambuddy test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = serverRequest.Create(ca, now.AddDays(-1), now.AddDays(30), RandomNumberGenerator.GetBytes(16));

        File.WriteAllText(Path.Combine(folder, "ca.crt"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, "server.crt"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());
    }

    private static async Task RunAsync(string file, string[] arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not run {file}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            // The arguments hold a password: name the program only.
            throw new InvalidOperationException($"{file} failed ({process.ExitCode}):\n{await output}\n{await error}");
        }
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
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            ServerFolders.StopAndDelete(_process, _folder);
        }
    }
}
