using Bambuddy.Scheduler.LocalBackups;
using Npgsql;

namespace Bambuddy.Scheduler.GitBackups;

/// <summary>The one row of git-backup settings in <c>backupdb</c>, with its persisted <c>next_scheduled_run</c>.</summary>
public sealed class GitBackupConfigStore(NpgsqlDataSource dataSource, TimeProvider clock, ScheduleZone zone)
{
    private const string Columns = """
        id, provider, repository_url, access_token_protected, branch, allow_insecure_http, schedule_enabled, schedule_type,
        backup_kprofiles, backup_cloud_profiles, backup_settings, backup_spools, backup_archives, enabled,
        last_backup_at, last_backup_status, last_backup_message, last_backup_commit_sha, next_scheduled_run, created_at, updated_at
        """;

    public async Task<GitBackupConfig?> GetAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM git_backup_config");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>
    /// Creates the row or replaces its settings (its id, creation time and last-backup fields stay), and computes
    /// the next scheduled run at once, so a change reschedules immediately.
    /// </summary>
    public async Task<GitBackupConfig> SaveAsync(GitBackupConfig config, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO git_backup_config (provider, repository_url, access_token_protected, branch, allow_insecure_http, schedule_enabled,
                schedule_type, backup_kprofiles, backup_cloud_profiles, backup_settings, backup_spools, backup_archives, enabled, next_scheduled_run)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            ON CONFLICT (singleton) DO UPDATE SET provider = EXCLUDED.provider, repository_url = EXCLUDED.repository_url,
                access_token_protected = EXCLUDED.access_token_protected, branch = EXCLUDED.branch,
                allow_insecure_http = EXCLUDED.allow_insecure_http, schedule_enabled = EXCLUDED.schedule_enabled,
                schedule_type = EXCLUDED.schedule_type, backup_kprofiles = EXCLUDED.backup_kprofiles,
                backup_cloud_profiles = EXCLUDED.backup_cloud_profiles, backup_settings = EXCLUDED.backup_settings,
                backup_spools = EXCLUDED.backup_spools, backup_archives = EXCLUDED.backup_archives, enabled = EXCLUDED.enabled,
                next_scheduled_run = EXCLUDED.next_scheduled_run, updated_at = now()
            RETURNING {Columns}
            """);
        foreach (var value in new object[]
        {
            config.Provider, config.RepositoryUrl, config.ProtectedAccessToken, config.Branch, config.AllowInsecureHttp, config.ScheduleEnabled,
            config.ScheduleType, config.BackupKprofiles, config.BackupCloudProfiles, config.BackupSettings, config.BackupSpools, config.BackupArchives,
            config.Enabled, NextRun(config, clock.GetUtcNow()) is { } next ? next.UtcDateTime : DBNull.Value,
        })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return Read(reader);
    }

    /// <summary>Removes the settings and, as Bambuddy does, their history. False when there were none.</summary>
    public async Task<bool> DeleteAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM git_backup_config");
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>
    /// Claims the due slot, if any, under the row lock: the caller queues one run and the next run moves past
    /// now. Two replicas never claim the same slot, and runs missed while the system was down collapse into one.
    /// </summary>
    public async Task<GitBackupConfig?> ClaimDueSlotAsync(Func<GitBackupConfig, NpgsqlConnection, NpgsqlTransaction, Task> queue, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        GitBackupConfig config;
        // NO KEY UPDATE, not UPDATE: queueing inserts a log row whose foreign key takes KEY SHARE on this row.
        await using (var select = new NpgsqlCommand($"SELECT {Columns} FROM git_backup_config FOR NO KEY UPDATE", connection, transaction))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            config = Read(reader);
        }

        var now = clock.GetUtcNow();
        if (!config.Scheduled || config.NextScheduledRun is not { } due || due > now)
        {
            return null;
        }

        await queue(config, connection, transaction);
        var next = NextRun(config, now)!.Value;
        await using (var update = new NpgsqlCommand("UPDATE git_backup_config SET next_scheduled_run = $1 WHERE id = $2", connection, transaction))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = next.UtcDateTime });
            update.Parameters.Add(new NpgsqlParameter { Value = config.Id });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return config with { NextScheduledRun = next };
    }

    private DateTimeOffset? NextRun(GitBackupConfig config, DateTimeOffset after) => GitBackupSchedule.NextRun(config, after, zone.Value);

    private static GitBackupConfig Read(NpgsqlDataReader reader)
    {
        DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : new DateTimeOffset(reader.GetDateTime(i), TimeSpan.Zero);
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        return new GitBackupConfig(
            reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetBoolean(5),
            reader.GetBoolean(6), reader.GetString(7), reader.GetBoolean(8), reader.GetBoolean(9), reader.GetBoolean(10), reader.GetBoolean(11),
            reader.GetBoolean(12), reader.GetBoolean(13), Time(14), Text(15), Text(16), Text(17), Time(18), Time(19), Time(20));
    }
}
