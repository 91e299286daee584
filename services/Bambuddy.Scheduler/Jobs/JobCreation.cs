namespace Bambuddy.Scheduler.Jobs;

/// <summary>Either the new job, or the id of the running job it conflicts with.</summary>
public sealed record JobCreation(Job? Job, Guid? ConflictingJobId);
