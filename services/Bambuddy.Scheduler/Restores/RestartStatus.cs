using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;

namespace Bambuddy.Scheduler.Restores;

/// <summary>Whether Bambuddy must be restarted after a restore, for <c>GET /local-backup/status</c>.</summary>
public sealed record RestartStatus(bool RestartRequired, DateTimeOffset? LastRestoreAt, Guid? LastRestoreJobId)
{
    private static readonly string[] BackupKinds = [JobKinds.LocalBackup, JobKinds.DownloadBackup];

    /// <summary>
    /// The rule, kept simple: we cannot see Bambuddy restart, so a restart is asked for from the newest
    /// succeeded restore until a backup succeeds after it (a failed restore changed nothing, so it
    /// neither asks for a restart nor clears the request of an earlier one).
    /// </summary>
    public static async Task<RestartStatus> ReadAsync(JobStore jobs, CancellationToken cancellationToken)
    {
        if (await jobs.GetLatestSucceededAsync(JobKinds.Restore, cancellationToken) is not { FinishedAt: { } restoredAt } restore)
        {
            return new RestartStatus(false, null, null);
        }

        foreach (var kind in BackupKinds)
        {
            if (await jobs.GetLatestSucceededAsync(kind, cancellationToken) is { FinishedAt: { } backedUpAt } && backedUpAt > restoredAt)
            {
                return new RestartStatus(false, restoredAt, restore.JobId);
            }
        }

        return new RestartStatus(true, restoredAt, restore.JobId);
    }
}
