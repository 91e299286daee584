using System.IO.Compression;
using System.IO.Hashing;

namespace Bambuddy.Core.Archive;

/// <summary>
/// The content of one entry of a <see cref="ZipStreamWriter"/>: takes the uncompressed bytes, keeps their
/// CRC-32 and count, and passes them on stored or deflated. Ended by <see cref="ZipStreamWriter.EndEntryAsync"/>.
/// </summary>
internal sealed class ZipEntryStream : Stream
{
    private readonly Crc32 _crc = new();
    private readonly Stream _sink;
    private readonly DeflateStream? _deflate;

    public ZipEntryStream(Stream output, bool deflate)
    {
        _deflate = deflate ? new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true) : null;
        _sink = _deflate ?? output;
    }

    public long UncompressedBytes { get; private set; }

    public uint Crc32 => _crc.GetCurrentHashAsUInt32();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _crc.Append(buffer);
        UncompressedBytes += buffer.Length;
        _sink.Write(buffer);
    }

    public override void WriteByte(byte value) => Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _crc.Append(buffer.Span);
        UncompressedBytes += buffer.Length;
        await _sink.WriteAsync(buffer, cancellationToken);
    }

    // Deflate output is only complete when the stream ends; flushing mid-entry would add empty blocks.
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Writes the deflate stream's last block; the output stays open.</summary>
    internal async ValueTask CompleteAsync()
    {
        if (_deflate is not null)
        {
            await _deflate.DisposeAsync();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _deflate?.Dispose();
        }

        base.Dispose(disposing);
    }
}
