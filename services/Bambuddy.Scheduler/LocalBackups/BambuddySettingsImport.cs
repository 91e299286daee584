using Bambuddy.Core.Bambuddy;
using Bambuddy.Core.Installation;
using Npgsql;

namespace Bambuddy.Scheduler.LocalBackups;

/// <summary>
/// On first start, Bambuddy's own <c>local_backup_*</c> settings are imported, so a Bambuddy user's
/// schedule carries over (DESIGN §1). Once: the import is stamped, and never overwrites later edits.
/// </summary>
public sealed partial class BambuddySettingsImport(
    NpgsqlDataSource dataSource, BambuddyInstallation installation, LocalBackupSettingsStore store, ILogger<BambuddySettingsImport> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var check = dataSource.CreateCommand("SELECT imported_at IS NULL FROM local_backup_settings WHERE id = 1"))
        {
            if (await check.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return;
            }
        }

        Dictionary<string, string> values;
        try
        {
            await using var bambuddy = await BambuddyDatabase.OpenAsync(installation, cancellationToken);
            values = (await bambuddy.ReadSettingsAsync(cancellationToken))
                .Where(kv => kv.Key.StartsWith("local_backup_", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key, kv => kv.Value);
        }
        catch (Exception ex) when (ex is NpgsqlException or Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException)
        {
            // Bambuddy's database is not reachable yet: try again at the next start.
            LogUnavailable(ex);
            return;
        }

        var current = await store.GetAsync(cancellationToken);
        var imported = current with
        {
            Enabled = values.TryGetValue("local_backup_enabled", out var enabled) ? enabled.Equals("true", StringComparison.OrdinalIgnoreCase) : current.Enabled,
            Schedule = values.TryGetValue("local_backup_schedule", out var schedule) && BackupSchedule.Kinds.Contains(schedule) ? schedule : current.Schedule,
            Time = values.TryGetValue("local_backup_time", out var time) && BackupSchedule.TryParseTime(time, out _, out _) ? time : current.Time,
            Retention = values.TryGetValue("local_backup_retention", out var retention) && int.TryParse(retention, out var r) && r is >= 1 and <= 100 ? r : current.Retention,
            Path = values.TryGetValue("local_backup_path", out var path) && (path.Length == 0 || System.IO.Path.IsPathFullyQualified(path)) ? path : current.Path,
        };
        if (values.Count > 0)
        {
            await store.SaveAsync(imported, cancellationToken);
            LogImported(values.Count, imported.Enabled, imported.Schedule, imported.Time);
        }

        await using var stamp = dataSource.CreateCommand("UPDATE local_backup_settings SET imported_at = now() WHERE id = 1");
        await stamp.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported {Count} local-backup settings from Bambuddy: enabled {Enabled}, {Schedule} at {Time}")]
    private partial void LogImported(int count, bool enabled, string schedule, string time);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bambuddy's settings could not be read for the first-start import; it is tried again at the next start")]
    private partial void LogUnavailable(Exception exception);
}
