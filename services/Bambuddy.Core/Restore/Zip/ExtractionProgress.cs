namespace Bambuddy.Core.Restore.Zip;

/// <summary>How far <see cref="BackupZip.ExtractAllAsync"/> is, in uncompressed bytes and entries of the selection.</summary>
public sealed record ExtractionProgress(long BytesDone, long BytesTotal, int EntriesDone, int EntriesTotal);
