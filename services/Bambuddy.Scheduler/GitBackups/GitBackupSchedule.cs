using Bambuddy.Scheduler.LocalBackups;

namespace Bambuddy.Scheduler.GitBackups;

/// <summary>The calendar of scheduled git backups, as Bambuddy's: hourly on the hour, daily at 00:00, weekly on Sunday at 00:00, in <c>TZ</c>.</summary>
public static class GitBackupSchedule
{
    /// <summary>The first slot strictly after <paramref name="after"/>, or null when the schedule does not fire.</summary>
    public static DateTimeOffset? NextRun(GitBackupConfig config, DateTimeOffset after, TimeZoneInfo zone)
        => config.Scheduled ? BackupSchedule.NextRun(config.ScheduleType, "00:00", after, zone) : null;
}
