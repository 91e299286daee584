using System.Diagnostics;

namespace Bambuddy.Core.Archive;

/// <summary>Passes progress on at most about once a second, except changes of phase and final reports.</summary>
internal sealed class ProgressThrottle(IProgress<ArchiveProgress>? progress, TimeSpan? interval = null)
{
    private readonly TimeSpan _interval = interval ?? TimeSpan.FromSeconds(1);
    private long _lastReport = long.MinValue;
    private ArchivePhase? _lastPhase;

    public void Report(ArchivePhase phase, long bytesDone, long bytesTotal, int entriesDone, int entriesTotal, bool force = false)
    {
        if (progress is null)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (!force && _lastPhase == phase && _lastReport != long.MinValue && Stopwatch.GetElapsedTime(_lastReport, now) < _interval)
        {
            return;
        }

        _lastReport = now;
        _lastPhase = phase;
        progress.Report(new ArchiveProgress(phase, bytesDone, bytesTotal, entriesDone, entriesTotal));
    }
}
