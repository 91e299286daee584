namespace Bambuddy.Bench;

/// <summary>What the packager child reports: the time of the backup call alone, the ZIP, and its own peak RSS.</summary>
public sealed record PackagerRunReport(double Seconds, long ZipBytes, int Entries, long PeakRssKilobytes, string ZipPath);
