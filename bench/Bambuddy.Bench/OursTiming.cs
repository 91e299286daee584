namespace Bambuddy.Bench;

public sealed record OursTiming(double Seconds, double WallSeconds, long ZipBytes, int Entries, long PeakRssKilobytes, long GcHeapBytes, long GcCommittedBytes);
