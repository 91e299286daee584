namespace Bambuddy.Scheduler.LocalBackups;

/// <summary>Bambuddy's <c>GET /local-backup/status</c> shape, plus ours (running job, restart after a restore).</summary>
public sealed record LocalBackupStatus(
    bool IsRunning,
    Guid? RunningJobId,
    DateTimeOffset? LastBackupAt,
    string? LastStatus,
    string? LastMessage,
    DateTimeOffset? NextRun,
    bool Enabled,
    string Schedule,
    string Time,
    int Retention,
    string Path,
    string DefaultPath,
    string Timezone,
    bool RestartRequired,
    DateTimeOffset? LastRestoreAt,
    Guid? LastRestoreJobId);

/// <summary>The settings as read: the S3 secret key is never returned, only whether one is stored.</summary>
public sealed record LocalBackupSettingsView(
    bool Enabled,
    string Schedule,
    string Time,
    int Retention,
    string Path,
    string DefaultPath,
    string Timezone,
    DateTimeOffset? NextRun,
    DateTimeOffset? ImportedFromBambuddyAt,
    S3SettingsView? S3);

public sealed record S3SettingsView(bool Enabled, string Endpoint, string Bucket, string Prefix, string Region, string AccessKey, bool UseTls, bool HasSecretKey);

/// <summary>A PUT may carry any subset; <c>path: ""</c> means the default.</summary>
public sealed record LocalBackupSettingsUpdate(bool? Enabled, string? Schedule, string? Time, int? Retention, string? Path, S3SettingsUpdate? S3);

/// <summary>A change of the S3 settings; without <c>secret_key</c> the stored one is kept.</summary>
public sealed record S3SettingsUpdate(bool? Enabled, string? Endpoint, string? Bucket, string? Prefix, string? Region, string? AccessKey, string? SecretKey, bool? UseTls);

/// <summary>One backup in the list: Bambuddy's fields plus ours.</summary>
public sealed record BackupListItem(string Filename, long Size, DateTimeOffset CreatedAt, string? Sha256, string Kind, string Origin, IReadOnlyList<string> Locations);
