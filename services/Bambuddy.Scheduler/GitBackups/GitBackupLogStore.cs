using Npgsql;

namespace Bambuddy.Scheduler.GitBackups;

/// <summary>The history of git backups: a row per run, written when its job is queued and ended with it.</summary>
public sealed class GitBackupLogStore(NpgsqlDataSource dataSource)
{
    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<GitBackupLog>> ListAsync(int limit, int offset, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT l.id, l.config_id, l.started_at, l.completed_at, l.status, l.trigger, l.commit_sha, l.files_changed, l.error_message,
                   l.job_id, c.provider, c.repository_url
            FROM git_backup_logs l JOIN git_backup_config c ON c.id = l.config_id
            ORDER BY l.id DESC LIMIT $1 OFFSET $2
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        command.Parameters.Add(new NpgsqlParameter { Value = offset });
        var logs = new List<GitBackupLog>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            logs.Add(Read(reader));
        }

        return logs;
    }

    public async Task<GitBackupLog?> GetByJobAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT l.id, l.config_id, l.started_at, l.completed_at, l.status, l.trigger, l.commit_sha, l.files_changed, l.error_message,
                   l.job_id, c.provider, c.repository_url
            FROM git_backup_logs l JOIN git_backup_config c ON c.id = l.config_id
            WHERE l.job_id = $1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>Deletes all but the newest <paramref name="keepLast"/> runs; a run still going is never deleted.</summary>
    public async Task<int> DeleteAsync(int keepLast, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            DELETE FROM git_backup_logs
            WHERE status <> 'running' AND id NOT IN (SELECT id FROM git_backup_logs ORDER BY id DESC LIMIT $1)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = keepLast });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Ends a running run's row and stamps the settings' <c>last_backup_*</c>, in one transaction. Idempotent:
    /// a row that has already ended (a redelivered event, or a job failed as worker-lost) stays as it is.
    /// </summary>
    public async Task<bool> CompleteAsync(Guid jobId, string status, string message, string? commitSha, int filesChanged, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var log = new NpgsqlCommand("""
            UPDATE git_backup_logs SET status = $2, completed_at = $3, commit_sha = $4, files_changed = $5, error_message = $6
            WHERE job_id = $1 AND status = 'running'
            RETURNING config_id
            """, connection, transaction);
        foreach (var value in new object[] { jobId, status, at.UtcDateTime, (object?)commitSha ?? DBNull.Value, filesChanged, status == "failed" ? message : DBNull.Value })
        {
            log.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        if (await log.ExecuteScalarAsync(cancellationToken) is not int configId)
        {
            return false;
        }

        await using var config = new NpgsqlCommand("""
            UPDATE git_backup_config SET last_backup_at = $2, last_backup_status = $3, last_backup_message = $4,
                last_backup_commit_sha = COALESCE($5, last_backup_commit_sha)
            WHERE id = $1
            """, connection, transaction);
        foreach (var value in new object[] { configId, at.UtcDateTime, status, message, (object?)commitSha ?? DBNull.Value })
        {
            config.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await config.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static GitBackupLog Read(NpgsqlDataReader reader)
    {
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        return GitBackupLog.Create(
            reader.GetInt64(0), reader.GetInt32(1), new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero),
            reader.IsDBNull(3) ? null : new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero),
            reader.GetString(4), reader.GetString(5), Text(6), reader.GetInt32(7), Text(8), reader.GetGuid(9), reader.GetString(10), reader.GetString(11));
    }
}
