namespace Bambuddy.Core.Restore.Database;

/// <summary>
/// Restores a backup's <c>bambuddy.db</c> into an installation's database, in steps the restore worker
/// calls in order (Prepare → Commit, or Revert/Discard). Every step is idempotent, keyed by the job id,
/// so a crashed restore can roll forward (Commit again) or back (Discard).
/// </summary>
public interface IRestoreTarget
{
    /// <summary>The backup's schema against the target's current one (an empty target: Bambuddy's schema).</summary>
    Task<SchemaCheck> CheckSchemaAsync(string backupDbPath, CancellationToken ct);

    /// <summary>Other sessions on the database (PostgreSQL: pid, application, client); none for SQLite.</summary>
    Task<IReadOnlyList<string>> OtherSessionsAsync(CancellationToken ct);

    /// <summary>Loads the backup beside the live data without changing what the installation sees.</summary>
    Task PrepareAsync(Guid jobId, string backupDbPath, string workDirectory, IProgress<DatabaseRestoreProgress>? progress, CancellationToken ct);

    /// <summary>Makes the prepared data the live data in one step; a no-op when already done.</summary>
    Task CommitAsync(Guid jobId, string workDirectory, bool force, CancellationToken ct);

    /// <summary>After a commit: brings the previous data back.</summary>
    Task RevertAsync(Guid jobId, string workDirectory, CancellationToken ct);

    /// <summary>Removes whatever the job left beside the live data.</summary>
    Task DiscardAsync(Guid jobId, string workDirectory, CancellationToken ct);
}
