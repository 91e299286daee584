using System.Globalization;
using Cronos;

namespace Bambuddy.Scheduler.LocalBackups;

/// <summary>
/// The calendar of scheduled local backups: hourly (at the minute of <c>time</c>), daily at <c>time</c>,
/// weekly on Sunday at <c>time</c>, in the configured zone. Cronos does the zone and DST arithmetic.
/// </summary>
public static class BackupSchedule
{
    public static readonly string[] Kinds = ["hourly", "daily", "weekly"];

    public static bool TryParseTime(string? value, out int hour, out int minute)
    {
        hour = minute = 0;
        return value is { Length: 5 } && value[2] == ':'
            && int.TryParse(value.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out hour)
            && int.TryParse(value.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out minute)
            && hour is >= 0 and < 24 && minute is >= 0 and < 60;
    }

    public static CronExpression Expression(string schedule, string time)
    {
        if (!TryParseTime(time, out var hour, out var minute))
        {
            throw new ArgumentException($"time must be HH:MM (00:00 to 23:59), got '{time}'.", nameof(time));
        }

        return schedule switch
        {
            "hourly" => CronExpression.Parse($"{minute} * * * *"),
            "daily" => CronExpression.Parse($"{minute} {hour} * * *"),
            "weekly" => CronExpression.Parse($"{minute} {hour} * * 0"),
            _ => throw new ArgumentException($"schedule must be one of {string.Join(", ", Kinds)}, got '{schedule}'.", nameof(schedule)),
        };
    }

    /// <summary>The first slot strictly after <paramref name="after"/>.</summary>
    public static DateTimeOffset NextRun(string schedule, string time, DateTimeOffset after, TimeZoneInfo zone)
        => Expression(schedule, time).GetNextOccurrence(after, zone)
           ?? throw new InvalidOperationException("The schedule has no next occurrence.");

    /// <summary>The zone from <c>TZ</c> (as Bambuddy names backups), else the machine's.</summary>
    public static TimeZoneInfo Zone(string? tz) => Bambuddy.Core.Installation.BackupTimeZone.From(tz);
}
