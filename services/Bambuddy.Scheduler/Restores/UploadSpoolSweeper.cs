using Bambuddy.Core.Jobs;
using Bambuddy.Scheduler.Jobs;
using Microsoft.Extensions.Options;

namespace Bambuddy.Scheduler.Restores;

/// <summary>
/// Sweeps the spool folder at start and then now and again: uploads whose job ended without a restore
/// event (cancelled while queued, worker lost) or that never became a job (a crash mid-upload).
/// </summary>
public sealed partial class UploadSpoolSweeper(UploadSpool spool, JobStore jobs, IOptions<RestoreOptions> options, TimeProvider clock, ILogger<UploadSpoolSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SpoolSweepInterval, clock);
        do
        {
            try
            {
                var deleted = await spool.SweepAsync(IsActiveAsync, stoppingToken);
                if (deleted > 0)
                {
                    LogSwept(deleted);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSweepFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<bool> IsActiveAsync(Guid jobId, CancellationToken cancellationToken)
        => await jobs.GetAsync(jobId, cancellationToken) is { } job && !JobStates.IsTerminal(job.State);

    [LoggerMessage(Level = LogLevel.Information, Message = "Swept {Count} spooled uploads whose restore has ended")]
    private partial void LogSwept(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping the spool folder failed; it is tried again later")]
    private partial void LogSweepFailed(Exception exception);
}
