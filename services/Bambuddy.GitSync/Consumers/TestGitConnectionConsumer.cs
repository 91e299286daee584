using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using MassTransit;

namespace Bambuddy.GitSync.Consumers;

/// <summary>PLACEHOLDER until the git-backup issue: answers that the test is not implemented yet.</summary>
public sealed class TestGitConnectionConsumer(JobLedger ledger) : IConsumer<TestGitConnection>
{
    public async Task Consume(ConsumeContext<TestGitConnection> context)
    {
        if (await ledger.HasEndedAsync(context.Message.JobId, context.CancellationToken))
        {
            return;
        }

        await context.Publish(new GitConnectionTested(context.Message.JobId, false,
            "Test Connection is not implemented yet (placeholder worker).", null, null, null, DateTimeOffset.UtcNow), context.CancellationToken);
    }
}
