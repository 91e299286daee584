using Bambuddy.Core.Archive;

namespace Bambuddy.Archive.Tests;

public sealed class ProgressThrottleTests
{
    [Fact]
    public void WithinOneIntervalOnlyTheFirstReportOfAPhaseAndForcedOnesPass()
    {
        var reports = new List<ArchiveProgress>();
        var throttle = new ProgressThrottle(new Collect(reports), TimeSpan.FromDays(1));

        for (var i = 0; i < 1000; i++)
        {
            throttle.Report(ArchivePhase.Writing, i, 1000, i, 1000);
        }

        throttle.Report(ArchivePhase.Writing, 1000, 1000, 1000, 1000, force: true);
        throttle.Report(ArchivePhase.Publishing, 1000, 1000, 1000, 1000);
        throttle.Report(ArchivePhase.Publishing, 1000, 1000, 1000, 1000);

        Assert.Equal(
            [
                new ArchiveProgress(ArchivePhase.Writing, 0, 1000, 0, 1000),
                new ArchiveProgress(ArchivePhase.Writing, 1000, 1000, 1000, 1000),
                new ArchiveProgress(ArchivePhase.Publishing, 1000, 1000, 1000, 1000),
            ],
            reports);
    }

    [Fact]
    public void WithoutAListenerNothingHappens()
    {
        new ProgressThrottle(null).Report(ArchivePhase.Writing, 1, 1, 1, 1, force: true);
    }

    private sealed class Collect(List<ArchiveProgress> reports) : IProgress<ArchiveProgress>
    {
        public void Report(ArchiveProgress value) => reports.Add(value);
    }
}
