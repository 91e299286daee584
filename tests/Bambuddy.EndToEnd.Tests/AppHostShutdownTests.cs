using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Bambuddy.EndToEnd.Tests;

/// <summary>Starts the built AppHost as eng/run.sh does, stops it with SIGTERM and checks every server it started is gone.</summary>
public sealed class AppHostShutdownTests
{
    [Fact]
    public async Task StoppingTheAppHostLeavesNoServerProcessBehind()
    {
        var ct = Timeouts.For(Timeouts.Start);
        var state = TestDirectories.Create("stop");
        var gatewayPort = FreePort();
        using var appHost = StartAppHost(state, gatewayPort);
        try
        {
            await WaitForGatewayAsync(gatewayPort, appHost, ct);
            // As the README says: no BACKUP_API_KEY, so the gateway made one and keeps it in the state directory.
            // Read as a shell's `cat` would: a byte-order mark would be part of the key.
            var key = System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(Path.Combine(state, "api-key"), ct)).Trim();
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gatewayPort}") };
            client.DefaultRequestHeaders.Add("X-API-Key", key);
            using var status = await client.GetAsync("/api/v1/local-backup/status", ct);
            var servers = ProcessesMentioning(state);
            var started = servers.Select(p => p.Name).ToHashSet();

            Process.Start("kill", ["-TERM", appHost.Id.ToString()])!.WaitForExit();
            await appHost.WaitForExitAsync(Timeouts.For(TimeSpan.FromSeconds(60)));
            var left = await WaitUntilGoneAsync(servers, TimeSpan.FromSeconds(30));

            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(state, "api-key")));
            Assert.Contains("postgres", started);
            Assert.Contains("beam.smp", started);
            Assert.Contains("epmd", started);
            Assert.Contains("Bambuddy.Scheduler", started);
            Assert.Empty(left.Select(p => $"{p.Pid} {p.Name}"));
        }
        finally
        {
            // Never by name: only the ids this test saw.
            foreach (var (pid, _) in ProcessesMentioning(state))
            {
                try { Process.GetProcessById(pid).Kill(entireProcessTree: true); } catch (ArgumentException) { } catch (InvalidOperationException) { }
            }

            if (!appHost.HasExited)
            {
                appHost.Kill(entireProcessTree: true);
            }

            TestDirectories.Delete(state);
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentQueue<string> Output = new();

    private static Process StartAppHost(string state, int gatewayPort)
    {
        var binary = Path.Combine(RepositoryRoot(), "Bambuddy.AppHost", "bin", Configuration(), "net10.0", "Bambuddy.AppHost");
        var info = new ProcessStartInfo(binary)
        {
            WorkingDirectory = Path.GetDirectoryName(binary)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["BACKUP_STATE_DIR"] = state;
        info.Environment["BACKUP_SERVERS"] = "local";
        info.Environment.Remove("BACKUP_API_KEY");
        info.Environment["GATEWAY_PORT"] = gatewayPort.ToString();
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}";
        info.Environment["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        info.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        var process = Process.Start(info)!;
        // Kept to explain a failure: the AppHost's own log says which resource did not come up.
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        Output.Enqueue(line);
        while (Output.Count > 200)
        {
            Output.TryDequeue(out _);
        }
    }

    private static async Task WaitForGatewayAsync(int port, Process appHost, CancellationToken ct)
    {
        try
        {
            await PollGatewayAsync(port, appHost, ct);
        }
        catch (OperationCanceledException ex)
        {
            throw new TimeoutException($"The gateway was not healthy in time. The AppHost said:\n{string.Join('\n', Output)}", ex);
        }
    }

    private static async Task PollGatewayAsync(int port, Process appHost, CancellationToken ct)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            Assert.False(appHost.HasExited, "the AppHost exited before the gateway was healthy");
            try
            {
                using var response = await client.GetAsync($"http://127.0.0.1:{port}/health", ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            await Task.Delay(250, ct);
        }
    }

    /// <summary>Processes whose command line, working folder or environment names the run's unique state folder.</summary>
    private static List<(int Pid, string Name)> ProcessesMentioning(string state)
    {
        var found = new List<(int, string)>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var cwd = new DirectoryInfo(Path.Combine(dir, "cwd")).LinkTarget ?? "";
                var environ = File.ReadAllText(Path.Combine(dir, "environ"));
                if (cmdline.Contains(state) || cwd.StartsWith(state) || environ.Contains(state))
                {
                    var executable = Path.GetFileName(cmdline.Split(' ')[0]);
                    found.Add((pid, executable.StartsWith("Bambuddy.") ? executable : File.ReadAllText(Path.Combine(dir, "comm")).Trim()));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        return found;
    }

    private static async Task<List<(int Pid, string Name)>> WaitUntilGoneAsync(List<(int Pid, string Name)> processes, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var left = processes.Where(p => IsAlive(p.Pid)).ToList();
            if (left.Count == 0 || DateTime.UtcNow > deadline)
            {
                return left;
            }

            await Task.Delay(200);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            // A zombie is gone for our purpose: it holds no port and no file.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bambuddy.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Bambuddy.sln not found above the test binaries.");
    }

    private static string Configuration() => AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
