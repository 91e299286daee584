using Bambuddy.Core.Jobs;

namespace Bambuddy.Scheduler.Jobs;

/// <summary>
/// Waits for a job to end. Reads the row, so it works whichever scheduler replica consumed the
/// worker's event; the poll is cheap (one indexed row) and only runs while a client waits.
/// </summary>
public sealed class JobWaiter(JobStore store)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public async Task<Job> WaitForEndAsync(Guid jobId, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        while (true)
        {
            var job = await store.GetAsync(jobId, cancellationToken) ?? throw new InvalidOperationException($"Job {jobId} vanished.");
            if (JobStates.IsTerminal(job.State))
            {
                return job;
            }

            await timer.WaitForNextTickAsync(cancellationToken);
        }
    }
}
