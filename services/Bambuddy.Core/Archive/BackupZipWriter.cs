using System.IO.Compression;
using System.Security.Cryptography;

namespace Bambuddy.Core.Archive;

/// <summary>
/// Streams a full backup ZIP (DESIGN §4): <c>bambuddy.db</c> first, then the data entries in the order
/// given, then <c>backup-manifest.json</c>. Each entry is read once: its SHA-256 is computed on the way
/// in and the whole ZIP's on the way out, and memory stays flat whatever the size.
/// </summary>
public static class BackupZipWriter
{
    /// <summary>The database's entry name, at the top level as Bambuddy expects it.</summary>
    public const string DatabaseEntryName = "bambuddy.db";

    internal const int BufferSize = 1 << 20;

    // DOS times in a ZIP cover 1980–2107 only; a day of slack either side for the local offset.
    private static readonly DateTimeOffset _earliestZipTime = new(1980, 1, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset _latestZipTime = new(2107, 12, 30, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Writes the ZIP to <paramref name="destination"/> front to back (it is never sought, so it may be
    /// a network or pipe stream) and leaves it open. The database entry is always deflated.
    /// </summary>
    /// <exception cref="BackupSourceChangedException">An entry's content was not the size it was planned with.</exception>
    public static async Task<BackupZipResult> WriteAsync(
        Stream destination,
        BackupEntry database,
        IReadOnlyList<BackupEntry> dataEntries,
        BackupManifestInfo info,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        var entries = new List<BackupEntry>(dataEntries.Count + 1) { database with { Name = DatabaseEntryName, Compression = BackupEntryCompression.Deflate } };
        entries.AddRange(dataEntries);
        ValidateNames(entries);

        var bytesTotal = entries.Sum(e => e.Size);
        var entriesTotal = entries.Count + 1;
        var throttle = new ProgressThrottle(progress);
        var bytesDone = 0L;
        var manifestEntries = new List<BackupManifestEntry>(entries.Count);
        var buffers = new Buffers(new byte[BufferSize], new byte[BufferSize]);

        using var output = new HashingWriteStream(destination);
        var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken);
        BackupManifest manifest;
        try
        {
            throttle.Report(ArchivePhase.Writing, 0, bytesTotal, 0, entriesTotal, force: true);
            foreach (var entry in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var doneBefore = bytesDone;
                var sha256 = await CopyEntryAsync(
                    zip,
                    entry,
                    buffers,
                    read => throttle.Report(ArchivePhase.Writing, doneBefore + read, bytesTotal, manifestEntries.Count, entriesTotal),
                    cancellationToken);
                bytesDone += entry.Size;
                manifestEntries.Add(new BackupManifestEntry(entry.Name, entry.Size, sha256));
            }

            manifest = new BackupManifest(BackupManifest.CurrentFormatVersion, info.CreatedAt, info.SourceBackend, info.SchemaFingerprint, manifestEntries);
            var manifestEntry = zip.CreateEntry(BackupManifest.FileName, CompressionLevel.Fastest);
            manifestEntry.LastWriteTime = ClampZipTime(info.CreatedAt);
            var target = await manifestEntry.OpenAsync(cancellationToken);
            await using (target)
            {
                await target.WriteAsync(manifest.ToUtf8Json(), cancellationToken);
            }
        }
        catch
        {
            // The central directory of a failed ZIP is worthless and writing it may fail too: keep the first error.
            try
            {
                await zip.DisposeAsync();
            }
            catch (Exception)
            {
            }

            throw;
        }

        await zip.DisposeAsync();
        await output.FlushAsync(cancellationToken);
        throttle.Report(ArchivePhase.Writing, bytesDone, bytesTotal, entriesTotal, entriesTotal, force: true);
        return new BackupZipResult(output.BytesWritten, output.FinishHash(), entriesTotal, manifest);
    }

    private static async Task<string> CopyEntryAsync(
        ZipArchive zip,
        BackupEntry entry,
        Buffers buffers,
        Action<long> onRead,
        CancellationToken cancellationToken)
    {
        var zipEntry = zip.CreateEntry(entry.Name, entry.Compression == BackupEntryCompression.Store ? CompressionLevel.NoCompression : CompressionLevel.Fastest);
        if (entry.LastModified is { } lastModified)
        {
            zipEntry.LastWriteTime = ClampZipTime(lastModified);
        }

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
            var target = await zipEntry.OpenAsync(cancellationToken);
            await using (target)
            {
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
            }
        }

        return Convert.ToHexStringLower(sha256.GetHashAndReset());
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

    private static void ValidateNames(List<BackupEntry> entries)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { BackupManifest.FileName };
        foreach (var entry in entries)
        {
            var name = entry.Name;
            if (name.Length == 0 || name[0] == '/' || name[^1] == '/' || name.Contains('\\') || name.Contains('\0')
                || name.Split('/').Any(segment => segment is "" or "." or ".."))
            {
                throw new ArgumentException($"'{name}' is not a relative '/'-separated file name a ZIP entry may have.", nameof(entries));
            }

            if (!seen.Add(name))
            {
                throw new ArgumentException($"'{name}' is in the backup twice (or collides with the manifest).", nameof(entries));
            }

            if (entry.Size < 0)
            {
                throw new ArgumentException($"'{name}' has a negative size.", nameof(entries));
            }
        }
    }

    /// <summary>ZIP readers take an entry's DOS time as local time, as Bambuddy (Python's zipfile) writes it.</summary>
    private static DateTimeOffset ClampZipTime(DateTimeOffset time) =>
        (time < _earliestZipTime ? _earliestZipTime : time > _latestZipTime ? _latestZipTime : time).ToLocalTime();

    private sealed record Buffers(byte[] First, byte[] Second);
}
