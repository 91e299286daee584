namespace Bambuddy.Scheduler.LocalBackups;

/// <summary>The seed's local-backup settings, with Bambuddy's defaults; <c>Path</c> empty means <c>DATA_DIR/backups/</c>.</summary>
public sealed record LocalBackupSettings(
    bool Enabled,
    string Schedule,
    string Time,
    int Retention,
    string Path,
    S3Settings? S3,
    DateTimeOffset? NextRun,
    DateTimeOffset? ImportedAt = null)
{
    public static readonly LocalBackupSettings Defaults = new(false, "daily", "00:00", 5, "", null, null);
}
