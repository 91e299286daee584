using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Bambuddy.ArchivePackager.Packaging;

/// <summary>Backup bytes and duration, by kind and outcome.</summary>
public sealed class BackupMetrics
{
    public const string MeterName = "Bambuddy.ArchivePackager";

    private readonly Counter<long> _bytes;
    private readonly Histogram<double> _duration;

    public BackupMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _bytes = meter.CreateCounter<long>("bambuddy.backup.bytes", "By", "Bytes of finished backup ZIPs");
        _duration = meter.CreateHistogram<double>("bambuddy.backup.duration", "s", "How long a backup took");
    }

    public void Record(string kind, string outcome, long bytes, TimeSpan duration)
    {
        var tags = new TagList { { "kind", kind }, { "outcome", outcome } };
        _bytes.Add(bytes, tags);
        _duration.Record(duration.TotalSeconds, tags);
    }
}
