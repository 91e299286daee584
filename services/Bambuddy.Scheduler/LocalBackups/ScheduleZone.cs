namespace Bambuddy.Scheduler.LocalBackups;

/// <summary>The time zone of schedules and backup names: <c>TZ</c>, else the machine's.</summary>
public sealed record ScheduleZone(TimeZoneInfo Value)
{
    public static ScheduleZone FromConfiguration(IConfiguration configuration) => new(BackupSchedule.Zone(configuration["TZ"]));
}
