using Bambuddy.Contracts;
using MassTransit;

namespace Bambuddy.Scheduler.Tests.GitBackups;

/// <summary>
/// The git-sync worker's side of the messages, on MassTransit's in-memory test harness: it answers as the
/// worker does, as <see cref="GitSyncBehaviour"/> says. The scheduler's stores, consumers and PostgreSQL are real.
/// </summary>
public sealed class GitSyncStandIn(GitSyncBehaviour behaviour) : IConsumer<TestGitConnection>, IConsumer<RunGitBackup>
{
    public async Task Consume(ConsumeContext<TestGitConnection> context)
    {
        behaviour.Tested.Enqueue(context.Message);
        if (behaviour.IsPrivate is not { } isPrivate)
        {
            if (behaviour.AnswerTests)
            {
                await context.Publish(new GitConnectionTested(context.Message.JobId, false, "Could not reach the provider's API.", null, null, null, DateTimeOffset.UtcNow));
            }

            return;
        }

        await context.Publish(new GitConnectionTested(context.Message.JobId, true, "Connection successful", "owner/repo",
            new Dictionary<string, bool> { ["push"] = true, ["pull"] = true }, isPrivate, DateTimeOffset.UtcNow));
    }

    public async Task Consume(ConsumeContext<RunGitBackup> context)
    {
        behaviour.Runs.Enqueue(context.Message);
        if (behaviour.RunAnswer is not { } answer)
        {
            return;
        }

        await context.Publish(new GitBackupProgressed(context.Message.JobId, "Pushing to GitHub...", DateTimeOffset.UtcNow));
        await context.Publish(answer(context.Message.JobId));
    }
}
