using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;

namespace Bambuddy.Scheduler.LocalBackups;

/// <summary>Queues the scheduled local backup when its slot is due (DESIGN §3); the row lock makes replicas safe.</summary>
public sealed partial class ScheduleRunner(LocalBackupSettingsStore settings, JobStore jobs, JobPublisher publisher, ILogger<ScheduleRunner> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                Guid? queued = null;
                Guid? conflict = null;
                await settings.ClaimDueSlotAsync(async (current, connection, transaction) =>
                {
                    var (jobId, running) = await jobs.CreateAsync(connection, transaction, JobKinds.LocalBackup, Triggers.Scheduled,
                        id => LocalBackupCommands.Create(id, JobKinds.LocalBackup, Triggers.Scheduled, current), null, stoppingToken);
                    queued = running is null ? jobId : null;
                    conflict = running;
                }, stoppingToken);

                if (queued is { } id)
                {
                    LogQueued(id);
                    await publisher.PublishAsync(id, stoppingToken);
                }
                else if (conflict is { } runningId)
                {
                    LogSkipped(runningId);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued scheduled backup job {JobId}")]
    private partial void LogQueued(Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped a scheduled backup slot: job {RunningJobId} is still running")]
    private partial void LogSkipped(Guid runningJobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The backup schedule check failed; it tries again on its next tick")]
    private partial void LogFailed(Exception exception);
}
