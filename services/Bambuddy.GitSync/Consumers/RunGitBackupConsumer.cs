using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using MassTransit;

namespace Bambuddy.GitSync.Consumers;

/// <summary>PLACEHOLDER until the git-backup issue: ends the job failed, saying it is not implemented yet.</summary>
public sealed class RunGitBackupConsumer(JobLedger ledger) : IConsumer<RunGitBackup>
{
    public async Task Consume(ConsumeContext<RunGitBackup> context)
    {
        if (await ledger.HasEndedAsync(context.Message.JobId, context.CancellationToken))
        {
            return;
        }

        await context.Publish(new GitBackupCompleted(context.Message.JobId, "failed",
            "Git backup is not implemented yet (placeholder worker).", null, 0, DateTimeOffset.UtcNow), context.CancellationToken);
    }
}
