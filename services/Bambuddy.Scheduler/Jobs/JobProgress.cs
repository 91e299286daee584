namespace Bambuddy.Scheduler.Jobs;

public sealed record JobProgress(string Phase, long BytesDone, long BytesTotal, int EntriesDone, int EntriesTotal);
