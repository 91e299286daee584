namespace Bambuddy.Scheduler.Jobs;

public sealed record JobError(string Step, string Reason);
