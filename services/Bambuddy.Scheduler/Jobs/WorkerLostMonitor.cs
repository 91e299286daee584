using Microsoft.Extensions.Options;

namespace Bambuddy.Scheduler.Jobs;

/// <summary>DESIGN §2: a running job with no report for <see cref="JobOptions.WorkerLostAfter"/> ends failed.</summary>
public sealed partial class WorkerLostMonitor(JobStore store, IOptions<JobOptions> options, ILogger<WorkerLostMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.WorkerLostCheckInterval);
        do
        {
            try
            {
                foreach (var jobId in await store.FailLostAsync(options.Value.WorkerLostAfter, stoppingToken))
                {
                    LogLost(jobId, options.Value.WorkerLostAfter);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogCheckFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} failed: its worker sent no report for {Silence}")]
    private partial void LogLost(Guid jobId, TimeSpan silence);

    [LoggerMessage(Level = LogLevel.Error, Message = "The worker-lost check failed; it tries again on its next tick")]
    private partial void LogCheckFailed(Exception exception);
}
