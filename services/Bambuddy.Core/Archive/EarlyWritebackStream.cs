namespace Bambuddy.Core.Archive;

/// <summary>
/// Writes to a file front to back and, every few MiB, asks the kernel to start writing what came
/// before to disk. Otherwise Linux holds gigabytes dirty in memory and the fsync before the rename
/// waits for all of it at the end; this way the disk works while the ZIP is still being made.
/// </summary>
internal sealed class EarlyWritebackStream(FileStream file) : Stream
{
    private const long Window = 16L << 20;

    private long _written;
    private long _kicked;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _written;

    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        file.Write(buffer);
        Advance(buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await file.WriteAsync(buffer, cancellationToken);
        Advance(buffer.Length);
    }

    public override void Flush() => file.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => file.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Advance(int count)
    {
        _written += count;
        if (_written - _kicked >= Window)
        {
            // What the FileStream still buffers is not in the file yet; the next window picks it up.
            DirectorySync.StartWriteback(file.SafeFileHandle, _kicked, _written - _kicked);
            _kicked = _written;
        }
    }
}
