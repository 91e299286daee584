namespace Bambuddy.Core.Restore.Zip;

/// <summary>What a backup ZIP may hold before a restore refuses it (DESIGN §5.1).</summary>
/// <param name="MaxEntries">Entries in the central directory, directory entries included.</param>
/// <param name="MaxCompressionRatio">Uncompressed : compressed size of one entry bigger than <see cref="RatioFloorBytes"/>.</param>
/// <param name="MaxNameBytes">An entry name's length in bytes.</param>
public sealed record RestoreLimits(int MaxEntries = 100_000, double MaxCompressionRatio = 200, int MaxNameBytes = 1024)
{
    /// <summary>Entries up to this size are never refused for their ratio: a small file of zeros is no bomb.</summary>
    public const long RatioFloorBytes = 1L << 20;

    /// <summary>Linux's NAME_MAX: a longer path segment could never be created.</summary>
    public const int MaxSegmentBytes = 255;
}
