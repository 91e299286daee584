namespace Bambuddy.GitSync.Repository;

/// <summary>What a sync did.</summary>
/// <param name="Status"><c>success</c> (a commit was pushed) or <c>skipped</c> (nothing changed, nothing pushed).</param>
/// <param name="CommitSha">The pushed commit; null when skipped.</param>
/// <param name="FilesChanged">Files added, modified or deleted by the commit.</param>
/// <param name="Message">What happened, in words.</param>
public sealed record GitSyncResult(string Status, string? CommitSha, int FilesChanged, string Message);
