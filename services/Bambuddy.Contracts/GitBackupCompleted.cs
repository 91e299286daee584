namespace Bambuddy.Contracts;

/// <summary>A git backup ended.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Status"><c>success</c>, <c>failed</c> or <c>skipped</c> (nothing changed).</param>
/// <param name="Message">What happened, in words.</param>
/// <param name="CommitSha">The pushed commit, when there is one.</param>
/// <param name="FilesChanged">How many files the commit changed.</param>
/// <param name="At">When it ended.</param>
public sealed record GitBackupCompleted(
    Guid JobId,
    string Status,
    string Message,
    string? CommitSha,
    int FilesChanged,
    DateTimeOffset At);
