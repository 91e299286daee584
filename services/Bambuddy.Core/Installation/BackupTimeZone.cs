namespace Bambuddy.Core.Installation;

/// <summary>The zone of backup names and schedules: <c>TZ</c>, as Bambuddy uses it, else the machine's.</summary>
public static class BackupTimeZone
{
    public static TimeZoneInfo From(string? tz)
        => !string.IsNullOrWhiteSpace(tz) && TimeZoneInfo.TryFindSystemTimeZoneById(tz.TrimStart(':'), out var zone) ? zone : TimeZoneInfo.Local;
}
