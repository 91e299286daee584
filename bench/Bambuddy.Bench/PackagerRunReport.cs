namespace Bambuddy.Bench;

/// <summary>
/// What the packager child reports: the time of the backup call alone, the ZIP, its own peak RSS, and the
/// GC's heap and committed memory after its last collection (to tell managed growth from native).
/// </summary>
public sealed record PackagerRunReport(double Seconds, long ZipBytes, int Entries, long PeakRssKilobytes, string ZipPath, long GcHeapBytes = 0, long GcCommittedBytes = 0);
