namespace Bambuddy.Core.Archive;

/// <summary>Where a backup is: reported about once a second, and at every change of phase.</summary>
/// <param name="Phase">The current step.</param>
/// <param name="BytesDone">Source bytes read so far in this phase.</param>
/// <param name="BytesTotal">Source bytes this phase reads in all (0 when unknown).</param>
/// <param name="EntriesDone">Entries (or tables, while snapshotting a database) finished.</param>
/// <param name="EntriesTotal">Entries (or tables) in all (0 when unknown).</param>
public sealed record ArchiveProgress(ArchivePhase Phase, long BytesDone, long BytesTotal, int EntriesDone, int EntriesTotal);
