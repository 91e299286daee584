namespace Bambuddy.Contracts;

/// <summary>A restore was refused or failed; the installation is exactly as before.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Step">The step that failed (<c>validate</c>, <c>schema</c>, <c>safety_backup</c>, <c>database</c>, <c>files</c>).</param>
/// <param name="Reason">Why.</param>
/// <param name="Refused">True when the backup was refused as input (a 400/422), false for a failure of ours.</param>
/// <param name="At">When it ended.</param>
public sealed record RestoreFailed(Guid JobId, string Step, string Reason, bool Refused, DateTimeOffset At);
