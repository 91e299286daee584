using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Bambuddy.Core.Restore.Database;

/// <summary>
/// Writes PostgreSQL's binary <c>COPY</c> format (header, rows of length-prefixed fields, trailer) into a
/// stream through one reused buffer: no object per value, which is what makes the load fast. Its methods skip
/// tiered compilation's first, unoptimized tier: a restore runs them a million times within its first second.
/// </summary>
internal sealed class PostgresCopyWriter(Stream stream)
{
    private const int BufferSize = 1 << 16;

    private readonly byte[] _buffer = new byte[BufferSize];
    private int _position;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteHeader()
    {
        // "PGCOPY\n\377\r\n\0", then 32-bit flags and a 32-bit header extension length, both zero.
        var header = Take(19);
        "PGCOPY\n"u8.CopyTo(header);
        header[7] = 0xFF;
        header[8] = (byte)'\r';
        header[9] = (byte)'\n';
        header[10..].Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void StartRow(int fields) => BinaryPrimitives.WriteInt16BigEndian(Take(2), checked((short)fields));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteNull() => BinaryPrimitives.WriteInt32BigEndian(Take(4), -1);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteBoolean(bool value) => Field(1)[0] = value ? (byte)1 : (byte)0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Field(2), value);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteInt32Field(int value) => BinaryPrimitives.WriteInt32BigEndian(Field(4), value);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteInt64Field(long value) => BinaryPrimitives.WriteInt64BigEndian(Field(8), value);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteSingle(float value) => BinaryPrimitives.WriteSingleBigEndian(Field(4), value);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleBigEndian(Field(8), value);

    /// <summary>A field of raw bytes (text as UTF-8, bytea, json), with an optional leading byte (jsonb's version).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteBytes(ReadOnlySpan<byte> value, byte? prefix = null)
    {
        var prefixLength = prefix is null ? 0 : 1;
        if (value.Length <= _buffer.Length - 4 - prefixLength)
        {
            var field = Field(prefixLength + value.Length);
            if (prefix is { } p)
            {
                field[0] = p;
            }

            value.CopyTo(field[prefixLength..]);
            return;
        }

        // A value larger than the buffer goes straight to the stream after its length (and prefix) and what is buffered.
        var head = Take(4 + prefixLength);
        BinaryPrimitives.WriteInt32BigEndian(head, prefixLength + value.Length);
        if (prefix is { } q)
        {
            head[4] = q;
        }

        Flush();
        stream.Write(value);
    }

    /// <summary>A field of <paramref name="length"/> bytes: its length is written, its bytes are the span to fill.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Span<byte> Field(int length)
    {
        var field = Take(4 + length);
        BinaryPrimitives.WriteInt32BigEndian(field, length);
        return field[4..];
    }

    /// <summary>The trailer (a field count of -1), then everything buffered.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Complete()
    {
        BinaryPrimitives.WriteInt16BigEndian(Take(2), -1);
        Flush();
    }

    /// <summary>The next <paramref name="bytes"/> bytes of the buffer (flushed first when they do not fit), counted as written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Span<byte> Take(int bytes)
    {
        if (_buffer.Length - _position < bytes)
        {
            Flush();
        }

        var span = _buffer.AsSpan(_position, bytes);
        _position += bytes;
        return span;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Flush()
    {
        if (_position > 0)
        {
            stream.Write(_buffer, 0, _position);
            _position = 0;
        }
    }
}
