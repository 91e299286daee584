using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Bambuddy.Testing;

/// <summary>
/// The temp folder of a server a test starts (s3rver, mosquitto): it records the test host's pid and the
/// server's, so a later run can stop a server whose test host was killed — by that pid, and only when its
/// command line names the folder — and remove the folder.
/// </summary>
internal static class ServerFolders
{
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private const string OwnerFile = "owner.pid";
    private const string ServerFile = "server.pid";

    /// <summary>Removes what killed runs left, then makes a new folder owned by this process.</summary>
    public static string Create(string prefix)
    {
        DeleteLeftovers(prefix);
        var folder = Directory.CreateTempSubdirectory(prefix).FullName;
        File.WriteAllText(Path.Combine(folder, OwnerFile), Environment.ProcessId.ToString());
        return folder;
    }

    public static void RecordServer(string folder, int pid) => File.WriteAllText(Path.Combine(folder, ServerFile), pid.ToString());

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the server by its own process, waits for it (bounded), and removes its folder.</summary>
    public static async Task StopAsync(Process? process, string? folder)
    {
        if (process is not null)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // SIGKILL cannot be refused; the kernel reaps it whatever we wait for.
            }

            process.Dispose();
        }

        DeleteFolder(folder);
    }

    /// <summary>Stops the server by its own process (the test host is exiting) and removes its folder.</summary>
    public static void StopAndDelete(Process? process, string? folder)
    {
        try
        {
            if (process is { HasExited: false })
            {
                process.Kill();
                process.WaitForExit(StopTimeout);
            }
        }
        catch (InvalidOperationException)
        {
        }

        DeleteFolder(folder);
    }

    public static void DeleteFolder(string? folder)
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

    /// <summary>Folders of earlier runs whose test host was killed: their server stopped (by the pid kept there) and the folder removed.</summary>
    private static void DeleteLeftovers(string prefix)
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), prefix + "*"))
        {
            try
            {
                if (!int.TryParse(File.ReadAllText(Path.Combine(folder, OwnerFile)).Trim(), out var owner) || IsAlive(owner))
                {
                    continue;
                }

                var serverFile = Path.Combine(folder, ServerFile);
                if (File.Exists(serverFile) && int.TryParse(File.ReadAllText(serverFile).Trim(), out var server) && IsAlive(server)
                    && File.ReadAllText($"/proc/{server}/cmdline").Contains(folder, StringComparison.Ordinal))
                {
                    using var orphan = Process.GetProcessById(server);
                    orphan.Kill();
                    if (!orphan.WaitForExit(StopTimeout))
                    {
                        continue;
                    }
                }

                DeleteFolder(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                // Another run may be creating or removing it right now; the next run will look again.
            }
        }
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");
}
