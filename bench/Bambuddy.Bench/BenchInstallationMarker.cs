namespace Bambuddy.Bench;

/// <summary>What a generated installation was asked for and what it came to; written when generation ends.</summary>
public sealed record BenchInstallationMarker(
    long MediaBytes,
    int Rows,
    long Seed,
    long GeneratedRows,
    int GeneratedFiles,
    long GeneratedMediaBytes,
    double GenerationSeconds)
{
    public bool SameParameters(BenchInstallationMarker other) =>
        MediaBytes == other.MediaBytes && Rows == other.Rows && Seed == other.Seed;
}
