using Microsoft.Win32.SafeHandles;

namespace Bambuddy.Core.Restore.Zip;

/// <summary>Reads a range of the file front to back through one buffer (positional reads, the handle is never sought).</summary>
internal sealed class ZipSequentialReader(SafeFileHandle handle, long start, long end, int bufferSize)
{
    private readonly byte[] _buffer = new byte[(int)Math.Min(bufferSize, Math.Max(end - start, 0) + 1)];
    private long _bufferStart = start;
    private int _position;
    private int _length;

    public long Position => _bufferStart + _position;

    /// <summary>The next <paramref name="count"/> bytes (valid until the next call), or false when the range ends first.</summary>
    public bool TryRead(int count, out ReadOnlySpan<byte> bytes)
    {
        if (_length - _position < count)
        {
            Fill(count);
            if (_length - _position < count)
            {
                bytes = default;
                return false;
            }
        }

        bytes = _buffer.AsSpan(_position, count);
        _position += count;
        return true;
    }

    private void Fill(int count)
    {
        var kept = _length - _position;
        _buffer.AsSpan(_position, kept).CopyTo(_buffer);
        _bufferStart += _position;
        _position = 0;
        _length = kept;
        if (count > _buffer.Length)
        {
            return;
        }

        while (_length < _buffer.Length)
        {
            var fileOffset = _bufferStart + _length;
            var wanted = (int)Math.Min(_buffer.Length - _length, end - fileOffset);
            if (wanted <= 0)
            {
                return;
            }

            var read = RandomAccess.Read(handle, _buffer.AsSpan(_length, wanted), fileOffset);
            if (read == 0)
            {
                return;
            }

            _length += read;
        }
    }
}
