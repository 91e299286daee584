using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using Bambuddy.Scheduler.Jobs;

namespace Bambuddy.Scheduler.GitBackups;

/// <summary>Runs a <c>git_test</c> job on the git-sync worker and waits, bounded, for its <see cref="GitConnectionTested"/> answer.</summary>
public sealed class GitConnectionTester(JobStore jobs, JobPublisher publisher, JobWaiter waiter)
{
    /// <summary>The ended job (its result is the worker's answer), or null with the job id when it did not end in time.</summary>
    public async Task<(Guid JobId, Job? Ended)> TestAsync(GitRepositoryTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var creation = await jobs.CreateAsync(JobKinds.GitTest, Triggers.Manual, id => new TestGitConnection(id, target), parentId: null, cancellationToken);
        var job = creation.Job!;
        await publisher.PublishAsync(job.JobId, cancellationToken);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            return (job.JobId, await waiter.WaitForEndAsync(job.JobId, bounded.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Nobody waits for the answer any more: a queued test ends now, a running one is asked to stop.
            await jobs.RequestCancelAsync(job.JobId, cancellationToken);
            return (job.JobId, null);
        }
    }

    /// <summary>
    /// The save-time privacy rule (DESIGN §6): a repository the provider reports public is refused; when privacy
    /// cannot be told (no answer, bad token, unreachable), the save goes ahead with a warning and the push-time check decides.
    /// </summary>
    public static GitPrivacyVerdict Judge(Job? ended, TimeSpan timeout)
    {
        if (ended is null)
        {
            return new GitPrivacyVerdict(false, $"The repository's privacy could not be checked: the git-sync worker did not answer within {timeout.TotalSeconds:0} s. Every backup checks again before it pushes.");
        }

        if (ended.State != JobStates.Succeeded || ended.Result is not { } result)
        {
            return new GitPrivacyVerdict(false, $"The repository's privacy could not be checked: {ended.Error?.Reason ?? "the test ended without an answer"}. Every backup checks again before it pushes.");
        }

        var isPrivate = result["is_private"]?.GetValue<bool>();
        var message = result["message"]?.GetValue<string>() ?? "";
        return isPrivate switch
        {
            false => new GitPrivacyVerdict(true, null),
            null => new GitPrivacyVerdict(false, $"The repository's privacy could not be checked: {message} Every backup checks again before it pushes."),
            true when result["success"]?.GetValue<bool>() != true => new GitPrivacyVerdict(false, $"The repository is private, but the connection test failed: {message}"),
            true => new GitPrivacyVerdict(false, null),
        };
    }
}
