namespace Bambuddy.Contracts;

/// <summary>A backup job failed or was cancelled; no partial ZIP is left behind.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Step">The step that failed (for example <c>space_check</c>, <c>database</c>, <c>files</c>, <c>store</c>).</param>
/// <param name="Reason">Why, in words a user can act on.</param>
/// <param name="Cancelled">True when the job was cancelled rather than failed.</param>
/// <param name="At">When it ended.</param>
public sealed record LocalBackupFailed(
    Guid JobId,
    string Step,
    string Reason,
    bool Cancelled,
    DateTimeOffset At);
