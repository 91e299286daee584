namespace Bambuddy.Contracts;

/// <summary>A git backup ended.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Status"><c>success</c>, <c>failed</c> or <c>skipped</c> (nothing changed).</param>
/// <param name="Message">What happened, in words.</param>
/// <param name="CommitSha">The pushed commit, when there is one.</param>
/// <param name="FilesChanged">How many files the commit changed.</param>
/// <param name="At">When it ended.</param>
/// <param name="Step">When failed: the step (<c>config</c>, <c>privacy</c>, <c>export</c>, <c>clone</c>, <c>push</c>, …).</param>
/// <param name="Warnings">What was skipped without failing the run (an offline printer, an unreachable cloud).</param>
public sealed record GitBackupCompleted(
    Guid JobId,
    string Status,
    string Message,
    string? CommitSha,
    int FilesChanged,
    DateTimeOffset At,
    string? Step = null,
    IReadOnlyList<string>? Warnings = null);
