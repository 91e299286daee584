using System.ComponentModel.DataAnnotations;

namespace Bambuddy.Scheduler.GitBackups;

public sealed class GitBackupOptions
{
    public const string Section = "GitBackup";

    // Both waits stay under the gateway's 30 s timeout for plain calls, so the client gets our answer, not the gateway's.

    /// <summary>How long a save waits for the repository's privacy check before saving with a warning.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan PrivacyCheckTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long Test Connection waits for the git-sync worker's answer.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan TestTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How often the schedule looks for a due git backup.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ScheduleInterval { get; set; } = TimeSpan.FromSeconds(10);
}
