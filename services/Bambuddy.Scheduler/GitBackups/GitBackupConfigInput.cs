namespace Bambuddy.Scheduler.GitBackups;

/// <summary>The body of <c>POST</c> and <c>PATCH /github-backup/config</c>; a field left out keeps its value (PATCH) or default (POST).</summary>
public sealed record GitBackupConfigInput(
    string? Provider = null,
    string? RepositoryUrl = null,
    string? AccessToken = null,
    string? Branch = null,
    bool? AllowInsecureHttp = null,
    bool? ScheduleEnabled = null,
    string? ScheduleType = null,
    bool? BackupKprofiles = null,
    bool? BackupCloudProfiles = null,
    bool? BackupSettings = null,
    bool? BackupSpools = null,
    bool? BackupArchives = null,
    bool? Enabled = null)
{
    public override string ToString() => $"GitBackupConfigInput {{ Provider = {Provider}, RepositoryUrl = {RepositoryUrl}, Branch = {Branch} }}";
}
