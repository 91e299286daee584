namespace Bambuddy.Scheduler.GitBackups;

/// <summary>Either the queued run (its job and log row), or the git backup already running that it conflicts with.</summary>
public sealed record GitRunQueued(Guid? JobId, long? LogId, Guid? ConflictingJobId);
