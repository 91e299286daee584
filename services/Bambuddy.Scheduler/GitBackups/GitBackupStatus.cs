namespace Bambuddy.Scheduler.GitBackups;

/// <summary><c>GET /github-backup/status</c>: Bambuddy's fields, plus the running job's id.</summary>
public sealed record GitBackupStatus(
    bool Configured,
    bool Enabled,
    bool IsRunning,
    string? Progress,
    DateTimeOffset? LastBackupAt,
    string? LastBackupStatus,
    DateTimeOffset? NextScheduledRun,
    Guid? RunningJobId);
