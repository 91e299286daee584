using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using MassTransit;

namespace Bambuddy.Restore.Consumers;

/// <summary>PLACEHOLDER until the restore issue: refuses every restore and touches nothing.</summary>
public sealed class RestoreBackupConsumer(JobLedger ledger) : IConsumer<RestoreBackup>
{
    public async Task Consume(ConsumeContext<RestoreBackup> context)
    {
        if (await ledger.HasEndedAsync(context.Message.JobId, context.CancellationToken))
        {
            return;
        }

        await context.Publish(new RestoreFailed(context.Message.JobId, "restore",
            "Restore is not implemented yet (placeholder worker); nothing was changed.", Refused: false, DateTimeOffset.UtcNow), context.CancellationToken);
    }
}
