using System.Globalization;
using System.IO.Compression;
using System.IO.Hashing;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Bambuddy.Core.Restore.Zip;

/// <summary>
/// Reads one entry in a single streaming pass: inflates it when deflated, refuses it the moment it grows
/// past its declared size, and checks its length and CRC-32 at the end, hashing it with SHA-256 on the way.
/// One copier serves one call at a time; its buffers are reused from entry to entry.
/// </summary>
internal sealed class ZipEntryCopier(SafeFileHandle zip)
{
    public const int BufferSize = 1 << 20;

    private readonly byte[] _first = new byte[BufferSize];
    private readonly byte[] _second = new byte[BufferSize];
    private readonly byte[] _input = new byte[BufferSize];

    /// <summary>
    /// Streams the entry to <paramref name="write"/> (buffer, count, offset in the entry) or nowhere; returns
    /// the SHA-256 of its content when <paramref name="sha256"/>, else null.
    /// </summary>
    public async Task<byte[]?> CopyAsync(
        BackupZipEntry entry,
        long dataOffset,
        Action<byte[], int, long>? write,
        bool sha256,
        Action<long>? onBytes,
        CancellationToken cancellationToken)
    {
        var shown = ZipEntryNames.Display(entry.Name);
        using var raw = new ZipDataStream(zip, dataOffset, entry.CompressedSize, _input);
        using var source = entry.Method == 8 ? new DeflateStream(raw, CompressionMode.Decompress, leaveOpen: true) : (Stream)raw;
        using var hash = sha256 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        var crc = new Crc32();

        var current = _first;
        var next = _second;
        var count = Fill(source, current, shown);
        var total = CheckNotPast(entry, shown, count);
        while (count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (count < current.Length)
            {
                // The source ended inside this chunk: nothing left to overlap with.
                crc.Append(current.AsSpan(0, count));
                hash?.AppendData(current, 0, count);
                write?.Invoke(current, count, total - count);
                onBytes?.Invoke(total);
                break;
            }

            // Writing this chunk and reading (inflating) the next run on another core while this one checksums.
            var chunk = current;
            var spare = next;
            var writeAt = total - count;
            var ahead = Task.Run(
                () =>
                {
                    write?.Invoke(chunk, BufferSize, writeAt);
                    return Fill(source, spare, shown);
                },
                cancellationToken);
            try
            {
                crc.Append(chunk);
                hash?.AppendData(chunk);
            }
            finally
            {
                count = await ahead.ConfigureAwait(false);
            }

            onBytes?.Invoke(total);
            total = CheckNotPast(entry, shown, total + count);
            (current, next) = (next, current);
        }

        if (total < entry.UncompressedSize)
        {
            throw Refuse(string.Create(CultureInfo.InvariantCulture, $"Entry {shown} ends after {total:N0} of its declared {entry.UncompressedSize:N0} bytes (damaged or forged)"));
        }

        if (crc.GetCurrentHashAsUInt32() != entry.Crc32)
        {
            throw Refuse($"Entry {shown} fails its CRC-32 check (the ZIP is damaged)");
        }

        return hash?.GetHashAndReset();
    }

    private static long CheckNotPast(BackupZipEntry entry, string shown, long total) =>
        total <= entry.UncompressedSize
            ? total
            : throw Refuse(string.Create(CultureInfo.InvariantCulture, $"Entry {shown} inflates past its declared size of {entry.UncompressedSize:N0} bytes (a forged ZIP or a ZIP bomb)"));

    /// <summary>Fills the buffer unless the entry ends first; a short count means it ended.</summary>
    private static int Fill(Stream source, byte[] buffer, string shown)
    {
        var filled = 0;
        try
        {
            while (filled < buffer.Length)
            {
                var read = source.Read(buffer.AsSpan(filled));
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }
        }
        catch (InvalidDataException ex)
        {
            throw new BackupRefusedException(BackupRefusedException.ValidateStep, $"Entry {shown} has damaged compressed data.", ex);
        }

        return filled;
    }

    private static BackupRefusedException Refuse(string reason) => new(BackupRefusedException.ValidateStep, reason + ".");
}
