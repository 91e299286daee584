namespace Bambuddy.Bench;

/// <summary>A shell tool's time, the <c>sync</c> after it, and the bytes it wrote.</summary>
public sealed record ToolTiming(double Seconds, double SyncSeconds, long OutputBytes);
