using Microsoft.Win32.SafeHandles;

namespace Bambuddy.Core.Restore.Zip;

/// <summary>
/// An entry's compressed bytes as a read-only stream that ends where the central directory says they end,
/// read through one large buffer (a <c>DeflateStream</c> asks for a few KiB at a time).
/// </summary>
internal sealed class ZipDataStream(SafeFileHandle handle, long start, long length, byte[] buffer) : Stream
{
    private long _next = start;
    private long _remaining = length;
    private int _position;
    private int _count;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        if (_position == _count)
        {
            if (_remaining == 0 || destination.IsEmpty)
            {
                return 0;
            }

            if (destination.Length >= buffer.Length)
            {
                // A large read (a stored entry's 1 MiB chunks) goes straight to the caller's memory.
                var direct = RandomAccess.Read(handle, destination[..(int)Math.Min(destination.Length, _remaining)], _next);
                _next += direct;
                _remaining = direct == 0 ? 0 : _remaining - direct;
                return direct;
            }

            _count = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, _remaining)), _next);
            _position = 0;
            _next += _count;
            _remaining -= _count;
            if (_count == 0)
            {
                // The file shrank since it was opened: the entry ends short, which the caller reports.
                _remaining = 0;
                return 0;
            }
        }

        var taken = Math.Min(destination.Length, _count - _position);
        buffer.AsSpan(_position, taken).CopyTo(destination);
        _position += taken;
        return taken;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
