using System.Buffers.Binary;
using System.Text;

namespace Bambuddy.Core.Archive;

/// <summary>
/// A ZIP written strictly front to back with memory that stays flat whatever the entry count: the output
/// is never sought (it may be a pipe or a network stream), each entry's size and CRC-32 follow its data
/// in a data descriptor, and each central-directory record goes to a spill file as soon as its entry
/// ends, to be copied out after the last entry. Zip64 is used where a size, an offset or the entry count
/// needs it. Entries are files only (no directory entries); names are UTF-8 (flag bit 11).
/// </summary>
internal sealed class ZipStreamWriter : IAsyncDisposable
{
    private const uint Zip32Limit = uint.MaxValue;
    private const ushort EntryCount16Limit = ushort.MaxValue;
    private const ushort VersionDefault = 20;
    private const ushort VersionZip64 = 45;
    private const ushort MadeByUnix = 3 << 8;
    private const ushort DataDescriptorFlag = 1 << 3;
    private const ushort Utf8NameFlag = 1 << 11;
    private const ushort MethodStored = 0;
    private const ushort MethodDeflated = 8;
    private const ushort Zip64ExtraId = 0x0001;

    // A regular file, -rw-r--r--: what System.IO.Compression writes on Unix, so extraction keeps readable files.
    private const uint RegularFileAttributes = 0x81A40000;

    private const int LocalHeaderSize = 30;
    private const int CentralHeaderSize = 46;
    private const int SpillBufferSize = 1 << 16;

    private readonly CountingWriteStream _output;
    private readonly FileStream _centralDirectory;
    private readonly bool _forceZip64;
    private byte[] _scratch = new byte[1024];
    private OpenEntry? _open;
    private long _entryCount;
    private bool _finished;

    private ZipStreamWriter(Stream output, FileStream centralDirectory, bool forceZip64)
    {
        _output = new CountingWriteStream(output);
        _centralDirectory = centralDirectory;
        _forceZip64 = forceZip64;
    }

    /// <summary>Bytes written to the output so far.</summary>
    public long BytesWritten => _output.BytesWritten;

    /// <summary>Entries begun so far.</summary>
    public long EntryCount => _entryCount;

    /// <param name="output">Where the ZIP goes, front to back; left open.</param>
    /// <param name="tempDirectory">Where the central directory waits until the end (a file deleted on close).</param>
    /// <param name="forceZip64">Zip64 fields everywhere, as if every size and offset were too large: lets tests
    /// check readers take them without writing 4 GiB.</param>
    public static ZipStreamWriter Create(Stream output, string tempDirectory, bool forceZip64 = false)
    {
        Directory.CreateDirectory(tempDirectory);
        var spill = new FileStream(
            Path.Combine(tempDirectory, $".bambuddy-zip-directory-{Guid.NewGuid():N}.tmp"),
            new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                BufferSize = SpillBufferSize,
                Options = FileOptions.DeleteOnClose,
            });
        return new ZipStreamWriter(output, spill, forceZip64);
    }

    /// <summary>
    /// The most a deflated entry of <paramref name="size"/> bytes can take (zlib's deflateBound with room
    /// to spare), which decides before writing whether the entry needs Zip64 sizes.
    /// </summary>
    public static long MaxCompressedSize(long size) => size + (size >> 11) + (size >> 14) + 4096;

    /// <summary>
    /// Writes an entry's local header and returns the stream for its content; <see cref="EndEntryAsync"/>
    /// ends it. <paramref name="maxSize"/> is the most the content can be: above 4 GiB the entry gets Zip64 sizes.
    /// </summary>
    public async ValueTask<ZipEntryStream> BeginEntryAsync(string name, bool deflate, DateTime lastModified, long maxSize, CancellationToken cancellationToken)
    {
        if (_open is not null || _finished)
        {
            throw new InvalidOperationException("The previous entry is not ended, or the ZIP is finished.");
        }

        var nameBytes = Encoding.UTF8.GetBytes(name);
        if (nameBytes.Length > ushort.MaxValue)
        {
            throw new ArgumentException($"The entry name '{name[..64]}…' is longer than a ZIP allows.", nameof(name));
        }

        var offset = _output.BytesWritten;
        var zip64 = _forceZip64 || MaxCompressedSize(maxSize) >= Zip32Limit || offset >= Zip32Limit;
        var method = deflate ? MethodDeflated : MethodStored;
        var dosTime = DosTime(lastModified);

        var extraLength = zip64 ? 20 : 0;
        var header = Scratch(LocalHeaderSize + nameBytes.Length + extraLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0..], 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], zip64 ? VersionZip64 : VersionDefault);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], DataDescriptorFlag | Utf8NameFlag);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], method);
        BinaryPrimitives.WriteUInt32LittleEndian(header[10..], dosTime);
        BinaryPrimitives.WriteUInt32LittleEndian(header[14..], 0); // CRC-32: in the data descriptor

        // Sizes are in the data descriptor; with Zip64 the header says so and carries (zero) 8-byte fields.
        BinaryPrimitives.WriteUInt32LittleEndian(header[18..], zip64 ? Zip32Limit : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[22..], zip64 ? Zip32Limit : 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)extraLength);
        nameBytes.CopyTo(header[LocalHeaderSize..]);
        if (zip64)
        {
            var extra = header[(LocalHeaderSize + nameBytes.Length)..];
            BinaryPrimitives.WriteUInt16LittleEndian(extra[0..], Zip64ExtraId);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], 16);
            BinaryPrimitives.WriteUInt64LittleEndian(extra[4..], 0);
            BinaryPrimitives.WriteUInt64LittleEndian(extra[12..], 0);
        }

        await _output.WriteAsync(_scratch.AsMemory(0, header.Length), cancellationToken);
        _entryCount++;
        var content = new ZipEntryStream(_output, deflate);
        _open = new OpenEntry(nameBytes, method, dosTime, offset, _output.BytesWritten, zip64, content);
        return content;
    }

    /// <summary>Ends the open entry: its last deflate block, its data descriptor, its central-directory record.</summary>
    public async ValueTask EndEntryAsync(CancellationToken cancellationToken)
    {
        var entry = _open ?? throw new InvalidOperationException("No entry is open.");
        await entry.Content.CompleteAsync();
        _open = null;
        var compressed = _output.BytesWritten - entry.DataStart;
        var uncompressed = entry.Content.UncompressedBytes;
        var crc = entry.Content.Crc32;
        if (!entry.Zip64 && (compressed >= Zip32Limit || uncompressed >= Zip32Limit))
        {
            throw new InvalidOperationException($"An entry grew past 4 GiB although it was planned below: {compressed:N0} bytes written.");
        }

        var descriptor = Scratch(entry.Zip64 ? 24 : 16);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[0..], 0x08074b50);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[4..], crc);
        if (entry.Zip64)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(descriptor[8..], (ulong)compressed);
            BinaryPrimitives.WriteUInt64LittleEndian(descriptor[16..], (ulong)uncompressed);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(descriptor[8..], (uint)compressed);
            BinaryPrimitives.WriteUInt32LittleEndian(descriptor[12..], (uint)uncompressed);
        }

        await _output.WriteAsync(_scratch.AsMemory(0, descriptor.Length), cancellationToken);
        await WriteCentralRecordAsync(entry, crc, compressed, uncompressed, cancellationToken);
    }

    /// <summary>Copies the central directory out of its spill file and ends the ZIP; the output is flushed, not closed.</summary>
    public async ValueTask FinishAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        if (_open is not null || _finished)
        {
            throw new InvalidOperationException("An entry is still open, or the ZIP is already finished.");
        }

        _finished = true;
        var directoryOffset = _output.BytesWritten;
        await _centralDirectory.FlushAsync(cancellationToken);
        var directorySize = _centralDirectory.Length;
        _centralDirectory.Position = 0;
        int read;
        while ((read = await _centralDirectory.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await _output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        if (_output.BytesWritten - directoryOffset != directorySize)
        {
            throw new IOException("The central directory's spill file was not read back whole.");
        }

        var zip64 = _forceZip64 || _entryCount >= EntryCount16Limit || directoryOffset >= Zip32Limit || directorySize >= Zip32Limit;
        if (zip64)
        {
            var zip64End = _output.BytesWritten;
            var record = Scratch(56 + 20);
            BinaryPrimitives.WriteUInt32LittleEndian(record[0..], 0x06064b50);
            BinaryPrimitives.WriteUInt64LittleEndian(record[4..], 56 - 12);
            BinaryPrimitives.WriteUInt16LittleEndian(record[12..], MadeByUnix | VersionZip64);
            BinaryPrimitives.WriteUInt16LittleEndian(record[14..], VersionZip64);
            BinaryPrimitives.WriteUInt32LittleEndian(record[16..], 0); // this disk
            BinaryPrimitives.WriteUInt32LittleEndian(record[20..], 0); // the central directory's disk
            BinaryPrimitives.WriteUInt64LittleEndian(record[24..], (ulong)_entryCount);
            BinaryPrimitives.WriteUInt64LittleEndian(record[32..], (ulong)_entryCount);
            BinaryPrimitives.WriteUInt64LittleEndian(record[40..], (ulong)directorySize);
            BinaryPrimitives.WriteUInt64LittleEndian(record[48..], (ulong)directoryOffset);

            // The locator, right before the classic end record where readers look for it.
            BinaryPrimitives.WriteUInt32LittleEndian(record[56..], 0x07064b50);
            BinaryPrimitives.WriteUInt32LittleEndian(record[60..], 0);
            BinaryPrimitives.WriteUInt64LittleEndian(record[64..], (ulong)zip64End);
            BinaryPrimitives.WriteUInt32LittleEndian(record[72..], 1);
            await _output.WriteAsync(_scratch.AsMemory(0, record.Length), cancellationToken);
        }

        var end = Scratch(22);
        var count16 = zip64 ? EntryCount16Limit : (ushort)_entryCount;
        BinaryPrimitives.WriteUInt32LittleEndian(end[0..], 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[4..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(end[6..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], count16);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], count16);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], zip64 ? Zip32Limit : (uint)directorySize);
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], zip64 ? Zip32Limit : (uint)directoryOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(end[20..], 0); // no comment
        await _output.WriteAsync(_scratch.AsMemory(0, end.Length), cancellationToken);
        await _output.FlushAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_open is { } entry)
        {
            // A failed ZIP: free the deflater without letting its last block raise a second error.
            _open = null;
            try
            {
                await entry.Content.DisposeAsync();
            }
            catch (Exception)
            {
            }
        }

        await _centralDirectory.DisposeAsync();
    }

    private async ValueTask WriteCentralRecordAsync(OpenEntry entry, uint crc, long compressed, long uncompressed, CancellationToken cancellationToken)
    {
        // Only the fields too large for 32 bits go to the Zip64 extra field, in the order the format fixes.
        var bigUncompressed = _forceZip64 || uncompressed >= Zip32Limit;
        var bigCompressed = _forceZip64 || compressed >= Zip32Limit;
        var bigOffset = _forceZip64 || entry.Offset >= Zip32Limit;
        var extraFields = (bigUncompressed ? 1 : 0) + (bigCompressed ? 1 : 0) + (bigOffset ? 1 : 0);
        var extraLength = extraFields == 0 ? 0 : 4 + (8 * extraFields);
        var version = entry.Zip64 || extraFields > 0 ? VersionZip64 : VersionDefault;

        var record = Scratch(CentralHeaderSize + entry.Name.Length + extraLength);
        BinaryPrimitives.WriteUInt32LittleEndian(record[0..], 0x02014b50);
        BinaryPrimitives.WriteUInt16LittleEndian(record[4..], (ushort)(MadeByUnix | version));
        BinaryPrimitives.WriteUInt16LittleEndian(record[6..], version);
        BinaryPrimitives.WriteUInt16LittleEndian(record[8..], DataDescriptorFlag | Utf8NameFlag);
        BinaryPrimitives.WriteUInt16LittleEndian(record[10..], entry.Method);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], entry.DosTime);
        BinaryPrimitives.WriteUInt32LittleEndian(record[16..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(record[20..], bigCompressed ? Zip32Limit : (uint)compressed);
        BinaryPrimitives.WriteUInt32LittleEndian(record[24..], bigUncompressed ? Zip32Limit : (uint)uncompressed);
        BinaryPrimitives.WriteUInt16LittleEndian(record[28..], (ushort)entry.Name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(record[30..], (ushort)extraLength);
        BinaryPrimitives.WriteUInt16LittleEndian(record[32..], 0); // no comment
        BinaryPrimitives.WriteUInt16LittleEndian(record[34..], 0); // disk
        BinaryPrimitives.WriteUInt16LittleEndian(record[36..], 0); // internal attributes
        BinaryPrimitives.WriteUInt32LittleEndian(record[38..], RegularFileAttributes);
        BinaryPrimitives.WriteUInt32LittleEndian(record[42..], bigOffset ? Zip32Limit : (uint)entry.Offset);
        entry.Name.CopyTo(record[CentralHeaderSize..]);
        if (extraFields > 0)
        {
            var extra = record[(CentralHeaderSize + entry.Name.Length)..];
            BinaryPrimitives.WriteUInt16LittleEndian(extra[0..], Zip64ExtraId);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)(8 * extraFields));
            var at = 4;
            at += WriteIf(extra[at..], bigUncompressed, uncompressed);
            at += WriteIf(extra[at..], bigCompressed, compressed);
            WriteIf(extra[at..], bigOffset, entry.Offset);
        }

        await _centralDirectory.WriteAsync(_scratch.AsMemory(0, record.Length), cancellationToken);
    }

    private static int WriteIf(Span<byte> target, bool condition, long value)
    {
        if (!condition)
        {
            return 0;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(target, (ulong)value);
        return 8;
    }

    private Span<byte> Scratch(int length)
    {
        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        }

        return _scratch.AsSpan(0, length);
    }

    /// <summary>MS-DOS date and time as System.IO.Compression packs them (2-second steps, 1980–2107).</summary>
    private static uint DosTime(DateTime time)
    {
        var date = ((time.Year - 1980) & 0x7F) << 9 | time.Month << 5 | time.Day;
        var clock = time.Hour << 11 | time.Minute << 5 | time.Second / 2;
        return (uint)(date << 16 | clock);
    }

    private sealed record OpenEntry(byte[] Name, ushort Method, uint DosTime, long Offset, long DataStart, bool Zip64, ZipEntryStream Content);
}
