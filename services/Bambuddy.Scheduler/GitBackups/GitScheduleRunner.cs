using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;
using Microsoft.Extensions.Options;

namespace Bambuddy.Scheduler.GitBackups;

/// <summary>
/// Queues the scheduled git backup when its slot is due. The slot is claimed under the settings row lock,
/// so replicas never fire one slot twice; missed slots collapse into one run at start.
/// </summary>
public sealed partial class GitScheduleRunner(
    GitBackupConfigStore configs, GitBackupRuns runs, JobPublisher publisher, IOptions<GitBackupOptions> options, ILogger<GitScheduleRunner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ScheduleInterval);
        do
        {
            try
            {
                await RunDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One check: queues and publishes the due run, if any. Returns the queued job.</summary>
    public async Task<Guid?> RunDueAsync(CancellationToken cancellationToken)
    {
        GitRunQueued? queued = null;
        await configs.ClaimDueSlotAsync(async (config, connection, transaction) =>
            queued = await runs.QueueAsync(connection, transaction, config, Triggers.Scheduled, cancellationToken), cancellationToken);
        if (queued is { JobId: { } jobId })
        {
            LogQueued(jobId);
            await publisher.PublishAsync(jobId, cancellationToken);
            return jobId;
        }

        if (queued is { ConflictingJobId: { } running })
        {
            LogSkipped(running);
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued scheduled git backup job {JobId}")]
    private partial void LogQueued(Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped a scheduled git backup slot: git backup job {RunningJobId} is still running")]
    private partial void LogSkipped(Guid runningJobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The git backup schedule check failed; it tries again on its next tick")]
    private partial void LogFailed(Exception exception);
}
