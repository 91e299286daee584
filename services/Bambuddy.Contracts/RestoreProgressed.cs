namespace Bambuddy.Contracts;

/// <summary>Progress of a restore job.</summary>
public sealed record RestoreProgressed(
    Guid JobId,
    string Phase,
    long BytesDone,
    long BytesTotal,
    int EntriesDone,
    int EntriesTotal,
    DateTimeOffset At);
