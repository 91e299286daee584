namespace Bambuddy.Core.Archive;

/// <summary>Knobs of <see cref="BackupZipWriter"/>; the defaults suit a caller with a list of entries.</summary>
public sealed class BackupZipOptions
{
    /// <summary>Where the ZIP's central directory and the manifest's entries wait until the end (files deleted on close); the system temp folder when null.</summary>
    public string? TempDirectory { get; init; }

    /// <summary>
    /// The data entries' byte total and count for progress, when the caller counted them beforehand (a
    /// streamed plan). Counted from the entries when they are a collection; otherwise progress has no total.
    /// </summary>
    public (long Bytes, int Entries)? DataTotals { get; init; }

    /// <summary>Zip64 fields on every entry and at the end, as if all were past 4 GiB (tests of readers).</summary>
    internal bool ForceZip64 { get; init; }
}
