using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Stops the service when the process that started it is gone. Aspire's orchestrator starts each
/// project through <c>dotnet run</c>, which does not pass SIGTERM on to the service, so without this a
/// service outlives its wrapper until the orchestrator's last sweep (about 14 s), and eng/run.sh could not
/// promise that everything stops within 10 s.
/// </summary>
internal sealed partial class ParentProcessWatchdog(IHostApplicationLifetime lifetime, ILogger<ParentProcessWatchdog> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parent = getppid();
        if (parent <= 1)
        {
            return; // started by init or a container runtime: nothing to watch
        }

        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (getppid() != parent)
            {
                LogParentGone(parent);
                lifetime.StopApplication();
                return;
            }
        }
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int getppid();

    [LoggerMessage(Level = LogLevel.Information, Message = "The process that started this service ({ParentPid}) is gone; stopping")]
    private partial void LogParentGone(int parentPid);
}
