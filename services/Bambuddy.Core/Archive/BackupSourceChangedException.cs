namespace Bambuddy.Core.Archive;

/// <summary>
/// A file changed size, or disappeared, while it was being read into a backup; the backup is abandoned
/// rather than hold a torn copy.
/// </summary>
public sealed class BackupSourceChangedException : IOException
{
    public BackupSourceChangedException(string entryName, long plannedSize, long bytesRead)
        : base($"'{entryName}' changed while it was being backed up: it was {plannedSize:N0} bytes when listed, " +
               $"{(bytesRead > plannedSize ? "more than " : "")}{bytesRead:N0} bytes were read. The backup was stopped so it never holds a torn copy; run it again.")
    {
        EntryName = entryName;
        PlannedSize = plannedSize;
        BytesRead = bytesRead;
    }

    private BackupSourceChangedException(string entryName, long plannedSize, Exception inner)
        : base($"'{entryName}' was deleted or moved while the backup was being made. The backup was stopped; run it again.", inner)
    {
        EntryName = entryName;
        PlannedSize = plannedSize;
    }

    public string EntryName { get; }

    public long PlannedSize { get; }

    /// <summary>Bytes read before the change was seen; 0 when the file was gone.</summary>
    public long BytesRead { get; }

    internal static BackupSourceChangedException Vanished(string entryName, long plannedSize, Exception inner) => new(entryName, plannedSize, inner);
}
