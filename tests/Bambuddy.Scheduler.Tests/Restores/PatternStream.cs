namespace Bambuddy.Scheduler.Tests.Restores;

/// <summary>
/// A read-only stream of <paramref name="length"/> deterministic bytes, generated without allocating, so a
/// test can upload hundreds of megabytes. <paramref name="beforeRead"/> runs before each read with the bytes sent so far.
/// </summary>
public sealed class PatternStream(long length, Func<long, CancellationToken, Task>? beforeRead = null) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public static byte At(long position) => (byte)((position * 31) ^ (position >> 11));

    public override int Read(byte[] buffer, int offset, int count) => Fill(buffer.AsSpan(offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (beforeRead is not null)
        {
            await beforeRead(_position, cancellationToken);
        }

        return Fill(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Fill(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        for (var i = 0; i < count; i++)
        {
            buffer[i] = At(_position + i);
        }

        _position += count;
        return count;
    }
}
