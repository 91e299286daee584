using Bambuddy.Core.Restore.Zip;

namespace Bambuddy.Restore.Restoring;

/// <summary>Restore limits (DESIGN §5.1), bound from the <c>Restore</c> configuration section.</summary>
public sealed class RestoreOptions
{
    public const string Section = "Restore";

    public int MaxEntries { get; set; } = 100_000;

    public double MaxCompressionRatio { get; set; } = 200;

    /// <summary>Kept free beyond what staging needs, so a restore never fills the disk under Bambuddy.</summary>
    public long FreeSpaceMarginBytes { get; set; } = 256L << 20;

    /// <summary>Lets the end-to-end tests kill the worker at a named point (<see cref="FaultInjectionCheckpoints"/>); never on in production.</summary>
    public bool AllowFaultInjection { get; set; }

    public RestoreLimits Limits => new(MaxEntries, MaxCompressionRatio);
}
