using Bambuddy.Scheduler.LocalBackups;

namespace Bambuddy.Scheduler.Tests;

public sealed class BackupScheduleTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    // 2026-11-25 is a Wednesday.
    private static readonly DateTimeOffset Wednesday1020Utc = new(2026, 11, 25, 10, 20, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(10, 10, "2026-11-25T10:15:00Z")]
    [InlineData(10, 20, "2026-11-25T11:15:00Z")]
    [InlineData(23, 50, "2026-11-26T00:15:00Z")]
    public void HourlyRunsAtTheMinuteOfTheTimeWhateverItsHour(int hour, int minute, string expected)
    {
        var after = new DateTimeOffset(2026, 11, 25, hour, minute, 0, TimeSpan.Zero);

        var next = BackupSchedule.NextRun("hourly", "07:15", after, TimeZoneInfo.Utc);

        Assert.Equal(DateTimeOffset.Parse(expected), next);
    }

    [Fact]
    public void DailyRunsLaterTheSameDayWhenItsTimeIsStillAhead()
    {
        var after = new DateTimeOffset(2026, 11, 25, 6, 0, 0, TimeSpan.Zero);

        var next = BackupSchedule.NextRun("daily", "07:15", after, TimeZoneInfo.Utc);

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 7, 15, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void DailyRunsTheNextDayWhenItsTimeHasPassed()
    {
        var next = BackupSchedule.NextRun("daily", "07:15", Wednesday1020Utc, TimeZoneInfo.Utc);

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 7, 15, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void DailyTimeIsReadInTheScheduleZone()
    {
        var after = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

        var next = BackupSchedule.NextRun("daily", "07:15", after, Berlin);

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 6, 15, 0, TimeSpan.Zero), next.ToUniversalTime());
        Assert.Equal(TimeSpan.FromHours(1), next.Offset);
    }

    [Fact]
    public void WeeklyRunsOnTheComingSundayAtTheTime()
    {
        var next = BackupSchedule.NextRun("weekly", "07:15", Wednesday1020Utc, TimeZoneInfo.Utc);

        Assert.Equal(DayOfWeek.Sunday, next.DayOfWeek);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 7, 15, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void WeeklyOnASundayAfterTheTimeRunsTheFollowingSunday()
    {
        var sundayEvening = new DateTimeOffset(2026, 11, 29, 20, 0, 0, TimeSpan.Zero);

        var next = BackupSchedule.NextRun("weekly", "07:15", sundayEvening, TimeZoneInfo.Utc);

        Assert.Equal(new DateTimeOffset(2026, 12, 6, 7, 15, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void WeeklyLandsOnSundayInTheScheduleZoneEvenWhenUtcIsStillSaturday()
    {
        // 00:30 on Sunday in Berlin is 23:30 on Saturday in UTC.
        var next = BackupSchedule.NextRun("weekly", "00:30", Wednesday1020Utc, Berlin);

        Assert.Equal(DayOfWeek.Sunday, TimeZoneInfo.ConvertTime(next, Berlin).DayOfWeek);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 23, 30, 0, TimeSpan.Zero), next.ToUniversalTime());
    }

    [Theory]
    [InlineData("hourly", "2026-11-25T11:15:00Z")]
    [InlineData("daily", "2026-11-26T07:15:00Z")]
    [InlineData("weekly", "2026-12-06T07:15:00Z")]
    public void NextRunExactlyAtASlotIsTheFollowingSlot(string schedule, string expected)
    {
        var slot = schedule == "weekly"
            ? new DateTimeOffset(2026, 11, 29, 7, 15, 0, TimeSpan.Zero)
            : schedule == "daily"
                ? new DateTimeOffset(2026, 11, 25, 7, 15, 0, TimeSpan.Zero)
                : new DateTimeOffset(2026, 11, 25, 10, 15, 0, TimeSpan.Zero);

        var atSlot = BackupSchedule.NextRun(schedule, "07:15", slot, TimeZoneInfo.Utc);
        var justBefore = BackupSchedule.NextRun(schedule, "07:15", slot.AddTicks(-1), TimeZoneInfo.Utc);

        Assert.Equal(DateTimeOffset.Parse(expected), atSlot);
        Assert.True(atSlot > slot);
        Assert.Equal(slot, justBefore);
    }

    [Theory]
    [InlineData("25:00")]
    [InlineData("24:00")]
    [InlineData("7:00")]
    [InlineData("07:0")]
    [InlineData("aa:bb")]
    [InlineData("23:60")]
    [InlineData("0700")]
    [InlineData("07-00")]
    [InlineData("07:00:00")]
    [InlineData("")]
    [InlineData(null)]
    public void TimeThatIsNotHhMmIsRejected(string? time)
    {
        var parsed = BackupSchedule.TryParseTime(time, out _, out _);

        Assert.False(parsed);
    }

    [Theory]
    [InlineData("00:00", 0, 0)]
    [InlineData("23:59", 23, 59)]
    [InlineData("07:05", 7, 5)]
    public void TimeFromMidnightToOneMinuteBeforeIsAccepted(string time, int hour, int minute)
    {
        var parsed = BackupSchedule.TryParseTime(time, out var h, out var m);

        Assert.True(parsed);
        Assert.Equal((hour, minute), (h, m));
    }

    [Theory]
    [InlineData(" 7:00")]
    [InlineData("7 :00")]
    [InlineData("+7:00")]
    [InlineData("-0:00")]
    [InlineData("07:+5")]
    [InlineData("07: 5")]
    public void TimeWithSpacesOrSignsIsRejected(string time)
    {
        var parsed = BackupSchedule.TryParseTime(time, out _, out _);

        Assert.False(parsed);
    }

    [Fact]
    public void InvalidTimeIsRejectedWithAMessageNamingTheField()
    {
        var error = Assert.Throws<ArgumentException>(() => BackupSchedule.Expression("daily", "25:00"));

        Assert.Equal("time", error.ParamName);
        Assert.Contains("25:00", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("monthly")]
    [InlineData("Daily")]
    [InlineData("")]
    public void UnknownScheduleIsRejectedWithAMessageNamingTheField(string schedule)
    {
        var error = Assert.Throws<ArgumentException>(() => BackupSchedule.NextRun(schedule, "07:15", Wednesday1020Utc, TimeZoneInfo.Utc));

        Assert.Equal("schedule", error.ParamName);
        Assert.StartsWith("schedule must be one of hourly, daily, weekly", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DailyAtATimeSkippedBySpringForwardRunsOnceAtTheEndOfTheGap()
    {
        // Berlin 2026-03-29: 02:00 CET jumps to 03:00 CEST, so 02:30 never happens that day.
        var dayBefore = new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero);

        var onTheDay = BackupSchedule.NextRun("daily", "02:30", dayBefore, Berlin);
        var after = BackupSchedule.NextRun("daily", "02:30", onTheDay, Berlin);

        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), onTheDay.ToUniversalTime());
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.FromHours(2)), onTheDay);
        AssertRealInstant(onTheDay);
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 2, 30, 0, TimeSpan.FromHours(2)), after);
        AssertRealInstant(after);
    }

    [Fact]
    public void DailyAtATimeRepeatedByFallBackRunsOnceAtItsFirstOccurrence()
    {
        // Berlin 2026-10-25: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice (00:30Z and 01:30Z).
        var dayBefore = new DateTimeOffset(2026, 10, 24, 12, 0, 0, TimeSpan.Zero);

        var onTheDay = BackupSchedule.NextRun("daily", "02:30", dayBefore, Berlin);
        var after = BackupSchedule.NextRun("daily", "02:30", onTheDay, Berlin);

        Assert.Equal(new DateTimeOffset(2026, 10, 25, 2, 30, 0, TimeSpan.FromHours(2)), onTheDay);
        AssertRealInstant(onTheDay);
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 2, 30, 0, TimeSpan.FromHours(1)), after);
        AssertRealInstant(after);
    }

    [Fact]
    public void HourlyAcrossFallBackRunsEveryRealHourIncludingBothRepeatedHours()
    {
        var runs = HourlyRuns(new DateTimeOffset(2026, 10, 25, 0, 0, 0, TimeSpan.Zero), 4);

        Assert.Equal(
            [
                new DateTimeOffset(2026, 10, 25, 2, 30, 0, TimeSpan.FromHours(2)),
                new DateTimeOffset(2026, 10, 25, 2, 30, 0, TimeSpan.FromHours(1)),
                new DateTimeOffset(2026, 10, 25, 3, 30, 0, TimeSpan.FromHours(1)),
                new DateTimeOffset(2026, 10, 25, 4, 30, 0, TimeSpan.FromHours(1)),
            ],
            runs);
        Assert.All(runs, AssertRealInstant);
    }

    [Fact]
    public void HourlyAcrossSpringForwardRunsTheSkippedSlotOnceAtTheEndOfTheGap()
    {
        // 02:30 does not exist that day; Cronos moves that one slot to 03:00 CEST, so two runs are 30 minutes apart.
        var runs = HourlyRuns(new DateTimeOffset(2026, 3, 29, 0, 0, 0, TimeSpan.Zero), 4);

        Assert.Equal(
            [
                new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.FromHours(1)),
                new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.FromHours(2)),
                new DateTimeOffset(2026, 3, 29, 3, 30, 0, TimeSpan.FromHours(2)),
                new DateTimeOffset(2026, 3, 29, 4, 30, 0, TimeSpan.FromHours(2)),
            ],
            runs);
        Assert.All(runs, AssertRealInstant);
    }

    [Fact]
    public void ZoneFromTzNamesTheIanaZone()
    {
        var zone = BackupSchedule.Zone("Europe/Berlin");

        Assert.Equal("Europe/Berlin", zone.Id);
    }

    [Fact]
    public void ZoneFromTzAcceptsTheLeadingColonOfPosix()
    {
        var zone = BackupSchedule.Zone(":Europe/Berlin");

        Assert.Equal("Europe/Berlin", zone.Id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Not/AZone")]
    public void ZoneWithoutAUsableTzIsTheMachines(string? tz)
    {
        var zone = BackupSchedule.Zone(tz);

        Assert.Equal(TimeZoneInfo.Local.Id, zone.Id);
    }

    private static List<DateTimeOffset> HourlyRuns(DateTimeOffset after, int count)
    {
        var runs = new List<DateTimeOffset>();
        for (var i = 0; i < count; i++)
        {
            after = BackupSchedule.NextRun("hourly", "00:30", after, Berlin);
            runs.Add(after);
        }

        return runs;
    }

    private static void AssertRealInstant(DateTimeOffset run)
    {
        Assert.Equal(Berlin.GetUtcOffset(run), run.Offset);
        Assert.False(Berlin.IsInvalidTime(run.DateTime));
    }
}
