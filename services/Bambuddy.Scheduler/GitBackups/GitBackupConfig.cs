using Bambuddy.Contracts;

namespace Bambuddy.Scheduler.GitBackups;

/// <summary>The one row of git-backup settings, with Bambuddy's fields; the token only as Data Protection ciphertext.</summary>
public sealed record GitBackupConfig(
    int Id,
    string Provider,
    string RepositoryUrl,
    string ProtectedAccessToken,
    string Branch,
    bool AllowInsecureHttp,
    bool ScheduleEnabled,
    string ScheduleType,
    bool BackupKprofiles,
    bool BackupCloudProfiles,
    bool BackupSettings,
    bool BackupSpools,
    bool BackupArchives,
    bool Enabled,
    DateTimeOffset? LastBackupAt = null,
    string? LastBackupStatus = null,
    string? LastBackupMessage = null,
    string? LastBackupCommitSha = null,
    DateTimeOffset? NextScheduledRun = null,
    DateTimeOffset? CreatedAt = null,
    DateTimeOffset? UpdatedAt = null)
{
    /// <summary>Bambuddy's defaults: github, main, daily (schedule off), K-profiles and cloud profiles on, the rest off.</summary>
    public static GitBackupConfig New(string repositoryUrl, string protectedAccessToken) => new(
        0, "github", repositoryUrl, protectedAccessToken, "main", AllowInsecureHttp: false, ScheduleEnabled: false, ScheduleType: "daily",
        BackupKprofiles: true, BackupCloudProfiles: true, BackupSettings: false, BackupSpools: false, BackupArchives: false, Enabled: true);

    public GitRepositoryTarget Target => new(Provider, RepositoryUrl, Branch, AllowInsecureHttp, ProtectedAccessToken);

    public GitBackupContents Contents => new(BackupKprofiles, BackupCloudProfiles, BackupSettings, BackupSpools, BackupArchives);

    /// <summary>Whether the schedule fires: the backup and its schedule both on.</summary>
    public bool Scheduled => Enabled && ScheduleEnabled;

    /// <summary>Never print the ciphertext either: records print every member.</summary>
    public override string ToString() => $"GitBackupConfig {{ Id = {Id}, Provider = {Provider}, RepositoryUrl = {RepositoryUrl}, Branch = {Branch}, Enabled = {Enabled} }}";
}
