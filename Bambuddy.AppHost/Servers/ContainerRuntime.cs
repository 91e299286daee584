using System.Diagnostics;

namespace Bambuddy.AppHost.Servers;

/// <summary>Whether a container engine answers: the <c>docker</c> CLI alone is not enough.</summary>
internal static class ContainerRuntime
{
    public static bool IsAvailable(TimeSpan timeout)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("docker", ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
            {
                return false;
            }

            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no docker CLI at all
        }
    }
}
