using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;
using MassTransit;

namespace Bambuddy.Scheduler.Consumers;

/// <summary>
/// Saves a restore's safety backup as its child job, under the id the restore chose, and publishes it.
/// Idempotent: a redelivered or repeated request finds the row and only makes sure it is published.
/// </summary>
public sealed partial class SafetyBackupRequestedConsumer(JobStore store, JobPublisher publisher, ILogger<SafetyBackupRequestedConsumer> logger)
    : IConsumer<SafetyBackupRequested>
{
    /// <summary>Safety backups keep their own three (DESIGN §3).</summary>
    public const int Retention = 3;

    public async Task Consume(ConsumeContext<SafetyBackupRequested> context)
    {
        var m = context.Message;
        if (await store.GetAsync(m.ParentJobId, context.CancellationToken) is null)
        {
            LogNoParent(m.JobId, m.ParentJobId);
            return;
        }

        var command = new CreateLocalBackup(m.JobId, JobKinds.SafetyBackup, Triggers.Restore, m.OutputPath, Retention, m.RequestedAt, OffsiteCopy: null);
        if (await store.CreateOnceAsync(m.JobId, JobKinds.SafetyBackup, Triggers.Restore, command, m.ParentJobId, context.CancellationToken))
        {
            LogCreated(m.JobId, m.ParentJobId);
        }

        // Published at most once (the outbox row's stamp); the relay covers a crash between the two steps.
        await publisher.PublishAsync(m.JobId, context.CancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued safety backup {JobId} for restore {ParentJobId}")]
    private partial void LogCreated(Guid jobId, Guid parentJobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored safety backup {JobId}: its restore {ParentJobId} is unknown")]
    private partial void LogNoParent(Guid jobId, Guid parentJobId);
}
