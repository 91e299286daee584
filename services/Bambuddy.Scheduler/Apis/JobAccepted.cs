namespace Bambuddy.Scheduler.Apis;

public sealed record JobAccepted(Guid JobId, string State);
