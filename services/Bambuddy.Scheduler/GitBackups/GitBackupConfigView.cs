using System.Text.Json.Serialization;

namespace Bambuddy.Scheduler.GitBackups;

/// <summary><c>GET /github-backup/config</c> in Bambuddy's shape and key order; the token only as <c>has_token</c>.</summary>
public sealed record GitBackupConfigView(
    int Id,
    string RepositoryUrl,
    bool HasToken,
    string Branch,
    string Provider,
    bool AllowInsecureHttp,
    bool ScheduleEnabled,
    string ScheduleType,
    bool BackupKprofiles,
    bool BackupCloudProfiles,
    bool BackupSettings,
    bool BackupSpools,
    bool BackupArchives,
    bool Enabled,
    DateTimeOffset? LastBackupAt,
    string? LastBackupStatus,
    string? LastBackupMessage,
    string? LastBackupCommitSha,
    DateTimeOffset? NextScheduledRun,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt)
{
    /// <summary>Set on a save whose repository's privacy could not be checked; the push-time check decides.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Warning { get; init; }

    public static GitBackupConfigView From(GitBackupConfig c) => new(
        c.Id, c.RepositoryUrl, c.ProtectedAccessToken.Length > 0, c.Branch, c.Provider, c.AllowInsecureHttp, c.ScheduleEnabled, c.ScheduleType,
        c.BackupKprofiles, c.BackupCloudProfiles, c.BackupSettings, c.BackupSpools, c.BackupArchives, c.Enabled,
        c.LastBackupAt, c.LastBackupStatus, c.LastBackupMessage, c.LastBackupCommitSha, c.NextScheduledRun, c.CreatedAt, c.UpdatedAt);
}
