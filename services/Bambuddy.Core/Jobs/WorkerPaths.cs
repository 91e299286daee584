namespace Bambuddy.Core.Jobs;

/// <summary>The state directory every service shares (DESIGN §8).</summary>
public sealed record WorkerPaths(string StateDirectory);
