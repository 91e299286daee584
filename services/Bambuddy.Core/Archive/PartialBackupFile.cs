namespace Bambuddy.Core.Archive;

/// <summary>
/// A backup ZIP being written under its hidden temporary name (DESIGN §3). <see cref="PublishAsync"/>
/// fsyncs it, renames it to its final name and fsyncs the folder; disposing it unpublished deletes it,
/// so a failed or cancelled backup leaves nothing behind and the list never shows a partial one.
/// </summary>
public sealed class PartialBackupFile : IAsyncDisposable
{
    private const int WriteBufferSize = 1 << 16;

    private readonly FileStream _stream;
    private readonly EarlyWritebackStream _writer;
    private bool _published;
    private bool _disposed;

    private PartialBackupFile(string folder, string fileName, FileStream stream)
    {
        Folder = folder;
        FileName = fileName;
        _stream = stream;
        _writer = new EarlyWritebackStream(stream);
    }

    /// <summary>The folder the ZIP is published in.</summary>
    public string Folder { get; }

    /// <summary>The final name, <c>bambuddy-backup-YYYYMMDD-HHMMSS.zip</c>.</summary>
    public string FileName { get; }

    public string FinalPath => Path.Combine(Folder, FileName);

    public string PartialPath => Path.Combine(Folder, BackupFileNaming.PartialName(FileName));

    /// <summary>Where to write the ZIP, front to back (it cannot seek).</summary>
    public Stream Stream => _writer;

    /// <summary>
    /// Reserves the name for a backup starting now in <paramref name="folder"/> (created when missing) by
    /// creating its temporary file; a name already taken, finished or in progress, moves it to a later second.
    /// </summary>
    public static async Task<PartialBackupFile> CreateAsync(string folder, TimeZoneInfo zone, TimeProvider clock, CancellationToken cancellationToken)
    {
        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        while (true)
        {
            var name = await BackupFileNaming.NextFreeNameAsync(folder, zone, clock, cancellationToken);
            var partialPath = Path.Combine(folder, BackupFileNaming.PartialName(name));
            FileStream stream;
            try
            {
                stream = new FileStream(partialPath, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    Share = FileShare.Read,
                    BufferSize = WriteBufferSize,
                });
            }
            catch (IOException) when (File.Exists(partialPath))
            {
                // Another backup took this second between the check and the create.
                continue;
            }

            // Closes the race with a backup that renamed its file into place just before the create.
            if (File.Exists(Path.Combine(folder, name)))
            {
                await stream.DisposeAsync();
                File.Delete(partialPath);
                continue;
            }

            return new PartialBackupFile(folder, name, stream);
        }
    }

    /// <summary>Flushes the ZIP to disk, renames it to <see cref="FinalPath"/> and flushes the folder; returns its length.</summary>
    public async Task<long> PublishAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_published)
        {
            throw new InvalidOperationException($"'{FileName}' is already published.");
        }

        await _stream.FlushAsync(cancellationToken);
        _stream.Flush(flushToDisk: true);
        var length = _stream.Length;
        await _stream.DisposeAsync();
        cancellationToken.ThrowIfCancellationRequested();

        File.Move(PartialPath, FinalPath, overwrite: false);
        _published = true;
        DirectorySync.Flush(Folder);
        return length;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stream.DisposeAsync();
        if (!_published)
        {
            File.Delete(PartialPath);
        }
    }
}
