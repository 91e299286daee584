namespace Bambuddy.Contracts;

/// <summary>Progress of a backup job, published about once a second and at least every 10 s.</summary>
public sealed record BackupProgressed(
    Guid JobId,
    string Phase,
    long BytesDone,
    long BytesTotal,
    int EntriesDone,
    int EntriesTotal,
    DateTimeOffset At);
