using System.Text.Json;
using Npgsql;

namespace Bambuddy.Scheduler.LocalBackups;

/// <summary>The one row of local-backup settings in <c>backupdb</c>, with its persisted <c>next_run</c>.</summary>
public sealed class LocalBackupSettingsStore(NpgsqlDataSource dataSource, TimeProvider clock, ScheduleZone zone)
{
    public const string Ddl = """
        CREATE TABLE IF NOT EXISTS local_backup_settings (
            id          int PRIMARY KEY CHECK (id = 1),
            enabled     boolean NOT NULL,
            schedule    text NOT NULL,
            time        text NOT NULL,
            retention   int NOT NULL CHECK (retention BETWEEN 1 AND 100),
            path        text NOT NULL,
            s3          jsonb,
            next_run    timestamptz,
            updated_at  timestamptz NOT NULL DEFAULT now()
        );
        ALTER TABLE local_backup_settings ADD COLUMN IF NOT EXISTS imported_at timestamptz;
        INSERT INTO local_backup_settings (id, enabled, schedule, time, retention, path)
        VALUES (1, false, 'daily', '00:00', 5, '') ON CONFLICT (id) DO NOTHING;
        """;

    public async Task<LocalBackupSettings> GetAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT enabled, schedule, time, retention, path, s3::text, next_run, imported_at FROM local_backup_settings WHERE id = 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : LocalBackupSettings.Defaults;
    }

    /// <summary>Saves the settings and computes the next run at once, so a change reschedules immediately.</summary>
    public async Task<LocalBackupSettings> SaveAsync(LocalBackupSettings settings, CancellationToken cancellationToken)
    {
        var nextRun = settings.Enabled
            ? BackupSchedule.NextRun(settings.Schedule, settings.Time, clock.GetUtcNow(), zone.Value)
            : (DateTimeOffset?)null;
        await using var command = dataSource.CreateCommand("""
            UPDATE local_backup_settings SET enabled = $1, schedule = $2, time = $3, retention = $4, path = $5,
                s3 = $6::jsonb, next_run = $7, updated_at = now()
            WHERE id = 1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = settings.Enabled });
        command.Parameters.Add(new NpgsqlParameter { Value = settings.Schedule });
        command.Parameters.Add(new NpgsqlParameter { Value = settings.Time });
        command.Parameters.Add(new NpgsqlParameter { Value = settings.Retention });
        command.Parameters.Add(new NpgsqlParameter { Value = settings.Path });
        command.Parameters.Add(new NpgsqlParameter { Value = settings.S3 is null ? DBNull.Value : JsonSerializer.Serialize(settings.S3) });
        command.Parameters.Add(new NpgsqlParameter { Value = nextRun.HasValue ? nextRun.Value.UtcDateTime : DBNull.Value });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return settings with { NextRun = nextRun };
    }

    /// <summary>
    /// Claims the due slot, if any, under the row lock: the caller queues one backup and the next run
    /// moves past now. Two replicas never claim the same slot, and runs missed while the system was
    /// down collapse into this one.
    /// </summary>
    public async Task<LocalBackupSettings?> ClaimDueSlotAsync(Func<LocalBackupSettings, NpgsqlConnection, NpgsqlTransaction, Task> queue, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        LocalBackupSettings settings;
        await using (var select = new NpgsqlCommand(
            "SELECT enabled, schedule, time, retention, path, s3::text, next_run, imported_at FROM local_backup_settings WHERE id = 1 FOR UPDATE", connection, transaction))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            settings = Read(reader);
        }

        var now = clock.GetUtcNow();
        if (!settings.Enabled || settings.NextRun is not { } due || due > now)
        {
            return null;
        }

        await queue(settings, connection, transaction);
        var next = BackupSchedule.NextRun(settings.Schedule, settings.Time, now, zone.Value);
        await using (var update = new NpgsqlCommand("UPDATE local_backup_settings SET next_run = $1 WHERE id = 1", connection, transaction))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = next.UtcDateTime });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return settings with { NextRun = next };
    }

    private static LocalBackupSettings Read(NpgsqlDataReader reader) => new(
        reader.GetBoolean(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetInt32(3),
        reader.GetString(4),
        reader.IsDBNull(5) ? null : JsonSerializer.Deserialize<S3Settings>(reader.GetString(5)),
        reader.IsDBNull(6) ? null : new DateTimeOffset(reader.GetDateTime(6), TimeSpan.Zero),
        reader.IsDBNull(7) ? null : new DateTimeOffset(reader.GetDateTime(7), TimeSpan.Zero));
}
