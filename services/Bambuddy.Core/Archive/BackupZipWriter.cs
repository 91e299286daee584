using System.Security.Cryptography;

namespace Bambuddy.Core.Archive;

/// <summary>
/// Streams a full backup ZIP (DESIGN §4): <c>bambuddy.db</c> first, then the data entries in the order
/// given, then <c>backup-manifest.json</c>. Each entry is read once: its SHA-256 is computed on the way
/// in and the whole ZIP's on the way out. Memory stays flat whatever the size and the entry count: the
/// entries may be a lazy sequence, and the central directory and the manifest's entries wait in temp files.
/// </summary>
public static class BackupZipWriter
{
    /// <summary>The database's entry name, at the top level as Bambuddy expects it.</summary>
    public const string DatabaseEntryName = "bambuddy.db";

    internal const int BufferSize = 1 << 20;

    // DOS times in a ZIP cover 1980–2107 only; a day of slack either side for the local offset.
    private static readonly DateTimeOffset _earliestZipTime = new(1980, 1, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset _latestZipTime = new(2107, 12, 30, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc cref="WriteAsync(Stream, BackupEntry, IEnumerable{BackupEntry}, BackupManifestInfo, IProgress{ArchiveProgress}?, BackupZipOptions, CancellationToken)"/>
    public static Task<BackupZipResult> WriteAsync(
        Stream destination,
        BackupEntry database,
        IEnumerable<BackupEntry> dataEntries,
        BackupManifestInfo info,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken) =>
        WriteAsync(destination, database, dataEntries, info, progress, new BackupZipOptions(), cancellationToken);

    /// <summary>
    /// Writes the ZIP to <paramref name="destination"/> front to back (it is never sought, so it may be
    /// a network or pipe stream) and leaves it open. The database entry is always deflated, empty entries
    /// are stored. <paramref name="dataEntries"/> is enumerated once, as it is written.
    /// </summary>
    /// <exception cref="BackupSourceChangedException">An entry's content was not the size it was planned with.</exception>
    /// <exception cref="ArgumentException">An entry's name is not a relative file name, or is there twice.</exception>
    public static async Task<BackupZipResult> WriteAsync(
        Stream destination,
        BackupEntry database,
        IEnumerable<BackupEntry> dataEntries,
        BackupManifestInfo info,
        IProgress<ArchiveProgress>? progress,
        BackupZipOptions options,
        CancellationToken cancellationToken)
    {
        database = database with { Name = DatabaseEntryName, Compression = BackupEntryCompression.Deflate };
        if (database.Size < 0)
        {
            throw new ArgumentException("The database has a negative size.", nameof(database));
        }

        var dataTotals = options.DataTotals
            ?? (dataEntries is IReadOnlyCollection<BackupEntry> list ? (list.Sum(e => e.Size), list.Count) : null);
        var plannedBytes = database.Size + (dataTotals?.Bytes ?? 0);
        var plannedEntries = (dataTotals?.Entries ?? 0) + 2;
        var tempDirectory = options.TempDirectory ?? Path.GetTempPath();
        var throttle = new ProgressThrottle(progress);
        var bytesDone = 0L;
        var entriesDone = 0;
        var buffers = new Buffers(new byte[BufferSize], new byte[BufferSize]);

        // Totals counted before the write may be passed by files that appeared since: never report more done than in all.
        void Report(long done, bool force = false)
        {
            if (dataTotals is null)
            {
                throttle.Report(ArchivePhase.Writing, done, 0, entriesDone, 0, force);
            }
            else
            {
                throttle.Report(ArchivePhase.Writing, done, Math.Max(plannedBytes, done), entriesDone, Math.Max(plannedEntries, entriesDone + 1), force);
            }
        }

        using var output = new HashingWriteStream(destination);
        await using var zip = ZipStreamWriter.Create(output, tempDirectory, options.ForceZip64);
        await using var manifest = BackupManifestSpill.Create(tempDirectory);
        var names = new BackupEntryNameCheck(manifest);

        Report(0, force: true);
        await AddAsync(database);
        foreach (var entry in dataEntries)
        {
            names.Check(entry);
            await AddAsync(entry);
        }

        var manifestContent = await zip.BeginEntryAsync(BackupManifest.FileName, deflate: true, ClampZipTime(info.CreatedAt).DateTime, manifest.MaxJsonBytes(), cancellationToken);
        await manifest.WriteJsonAsync(manifestContent, info, cancellationToken);
        await zip.EndEntryAsync(cancellationToken);
        entriesDone++;
        await zip.FinishAsync(buffers.First, cancellationToken);
        throttle.Report(ArchivePhase.Writing, bytesDone, bytesDone, entriesDone, entriesDone, force: true);
        return new BackupZipResult(output.BytesWritten, output.FinishHash(), entriesDone, bytesDone, info);

        async Task AddAsync(BackupEntry entry)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var doneBefore = bytesDone;
            var sha256 = await CopyEntryAsync(zip, entry, buffers, read => Report(doneBefore + read), cancellationToken);
            manifest.Add(entry.Name, entry.Size, sha256);
            bytesDone += entry.Size;
            entriesDone++;
        }
    }

    private static async Task<byte[]> CopyEntryAsync(
        ZipStreamWriter zip,
        BackupEntry entry,
        Buffers buffers,
        Action<long> onRead,
        CancellationToken cancellationToken)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Stream source;
        try
        {
            source = await entry.Open(cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw BackupSourceChangedException.Vanished(entry.Name, entry.Size, ex);
        }

        await using (source)
        {
            // Nothing to deflate in an empty entry: stored, as System.IO.Compression writes it.
            var target = await zip.BeginEntryAsync(
                entry.Name,
                deflate: entry.Compression == BackupEntryCompression.Deflate && entry.Size > 0,
                ClampZipTime(entry.LastModified ?? DateTimeOffset.Now).DateTime,
                entry.Size,
                cancellationToken);
            var current = buffers.First;
            var next = buffers.Second;
            var total = 0L;
            var count = await ReadChunkAsync(source, current, cancellationToken);
            while (count > 0)
            {
                total += count;
                if (total > entry.Size)
                {
                    throw new BackupSourceChangedException(entry.Name, entry.Size, total);
                }

                if (count < current.Length)
                {
                    // The last (or only) chunk: nothing to overlap with.
                    sha256.AppendData(current, 0, count);
                    await target.WriteAsync(current.AsMemory(0, count), cancellationToken);
                    onRead(total);
                    break;
                }

                // Compressing, checksumming and writing this chunk runs on another core while this one
                // hashes it and reads the next: hashing twice (entry and ZIP) is the bulk of the work.
                var chunk = current.AsMemory(0, count);
                var write = Task.Run(async () => await target.WriteAsync(chunk, cancellationToken), cancellationToken);
                try
                {
                    sha256.AppendData(current, 0, count);
                    count = await ReadChunkAsync(source, next, cancellationToken);
                }
                finally
                {
                    await write;
                }

                onRead(total);
                (current, next) = (next, current);
            }

            if (total != entry.Size)
            {
                throw new BackupSourceChangedException(entry.Name, entry.Size, total);
            }

            await zip.EndEntryAsync(cancellationToken);
        }

        return sha256.GetHashAndReset();
    }

    /// <summary>Fills the buffer unless the source ends first; a short count means the end was reached.</summary>
    private static async ValueTask<int> ReadChunkAsync(Stream source, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await source.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    /// <summary>ZIP readers take an entry's DOS time as local time, as Bambuddy (Python's zipfile) writes it.</summary>
    private static DateTimeOffset ClampZipTime(DateTimeOffset time) =>
        (time < _earliestZipTime ? _earliestZipTime : time > _latestZipTime ? _latestZipTime : time).ToLocalTime();

    private sealed record Buffers(byte[] First, byte[] Second);
}
