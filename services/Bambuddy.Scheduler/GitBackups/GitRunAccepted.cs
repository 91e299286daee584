namespace Bambuddy.Scheduler.GitBackups;

/// <summary>The 202 answer of <c>POST /github-backup/run</c>: the job, and the history row that will say how it went.</summary>
public sealed record GitRunAccepted(Guid JobId, string State, long LogId);
