namespace Bambuddy.Core.Archive;

/// <summary>
/// One file of a backup: the packager's whole input is a plain sequence of these, so the same one can
/// feed a ZIP or another store (DESIGN §9).
/// </summary>
/// <param name="Name">Relative archive name with <c>/</c> separators, e.g. <c>archive/1/x.3mf</c>.</param>
/// <param name="Size">Length in bytes when planned; a source whose length differs when read fails the backup.</param>
/// <param name="Open">Opens the content for reading, from its start.</param>
/// <param name="Compression">Stored or deflated.</param>
public sealed record BackupEntry(
    string Name,
    long Size,
    Func<CancellationToken, ValueTask<Stream>> Open,
    BackupEntryCompression Compression)
{
    /// <summary>The time recorded in the ZIP for this entry; the time of writing when null.</summary>
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>An entry read from a file on disk, opened for sequential reading without a managed buffer.</summary>
    public static BackupEntry FromFile(string name, string path, long size, BackupEntryCompression compression, DateTimeOffset? lastModified = null) =>
        new(name, size, _ => ValueTask.FromResult(OpenFile(path)), compression) { LastModified = lastModified };

    internal static Stream OpenFile(string path) =>
        new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
            Options = FileOptions.SequentialScan,
        });
}
