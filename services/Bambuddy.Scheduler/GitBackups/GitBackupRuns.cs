using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;
using Npgsql;

namespace Bambuddy.Scheduler.GitBackups;

/// <summary>
/// Queues git backups: the job (the outbox row) and its log row in one transaction, one git backup at a time.
/// Git backups do not touch the installation's files, so they run beside local backups and restores.
/// </summary>
public sealed class GitBackupRuns(NpgsqlDataSource dataSource, JobStore jobs, JobMetrics metrics, TimeProvider clock)
{
    // Distinct from the other advisory keys in backupdb (7301001 schema, 7301002 exclusive jobs, 7301003 catalog schema).
    public const long GitBackupLockKey = 7301031;

    public async Task<GitRunQueued> QueueAsync(GitBackupConfig config, string trigger, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var queued = await QueueAsync(connection, transaction, config, trigger, cancellationToken);
        if (queued.JobId is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return queued;
    }

    /// <summary>Queues a run inside the caller's transaction (the schedule claims its slot in the same one); the caller commits.</summary>
    public async Task<GitRunQueued> QueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, GitBackupConfig config, string trigger, CancellationToken cancellationToken)
    {
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter { Value = GitBackupLockKey });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var running = new NpgsqlCommand(
            "SELECT id FROM jobs WHERE kind = $1 AND state IN ('queued', 'running') ORDER BY created_at LIMIT 1", connection, transaction))
        {
            running.Parameters.Add(new NpgsqlParameter { Value = JobKinds.GitBackup });
            if (await running.ExecuteScalarAsync(cancellationToken) is Guid conflict)
            {
                return new GitRunQueued(null, null, conflict);
            }
        }

        var requestedAt = clock.GetUtcNow();
        var (jobId, _) = await jobs.CreateAsync(connection, transaction, JobKinds.GitBackup, trigger,
            id => new RunGitBackup(id, trigger, config.Target, config.Contents, requestedAt), parentId: null, cancellationToken);
        await using var log = new NpgsqlCommand(
            "INSERT INTO git_backup_logs (job_id, config_id, status, trigger) VALUES ($1, $2, 'running', $3) RETURNING id", connection, transaction);
        log.Parameters.Add(new NpgsqlParameter { Value = jobId });
        log.Parameters.Add(new NpgsqlParameter { Value = config.Id });
        log.Parameters.Add(new NpgsqlParameter { Value = trigger });
        var logId = (long)(await log.ExecuteScalarAsync(cancellationToken))!;
        metrics.Queued(JobKinds.GitBackup);
        return new GitRunQueued(jobId, logId, null);
    }
}
