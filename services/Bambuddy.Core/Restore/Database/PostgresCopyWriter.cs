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
        Span<byte> header = stackalloc byte[19];
        "PGCOPY\n"u8.CopyTo(header);
        header[7] = 0xFF;
        header[8] = (byte)'\r';
        header[9] = (byte)'\n';
        header[10..].Clear();
        Reserve(header.Length);
        header.CopyTo(_buffer.AsSpan(_position));
        _position += header.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void StartRow(int fields)
    {
        Reserve(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_position), checked((short)fields));
        _position += 2;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteNull() => WriteInt32(-1);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteBoolean(bool value)
    {
        Reserve(5);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), 1);
        _buffer[_position + 4] = value ? (byte)1 : (byte)0;
        _position += 5;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteInt16(short value)
    {
        Reserve(6);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), 2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_position + 4), value);
        _position += 6;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteInt32Field(int value)
    {
        Reserve(8);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), 4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position + 4), value);
        _position += 8;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteInt64Field(long value)
    {
        Reserve(12);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), 8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_position + 4), value);
        _position += 12;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteSingle(float value)
    {
        Reserve(8);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), 4);
        BinaryPrimitives.WriteSingleBigEndian(_buffer.AsSpan(_position + 4), value);
        _position += 8;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteDouble(double value)
    {
        Reserve(12);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), 8);
        BinaryPrimitives.WriteDoubleBigEndian(_buffer.AsSpan(_position + 4), value);
        _position += 12;
    }

    /// <summary>A field of raw bytes (text as UTF-8, bytea, json), with an optional leading byte (jsonb's version).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteBytes(ReadOnlySpan<byte> value, byte? prefix = null)
    {
        var length = value.Length + (prefix is null ? 0 : 1);
        Reserve(5);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), length);
        _position += 4;
        if (prefix is { } p)
        {
            _buffer[_position++] = p;
        }

        if (value.Length <= _buffer.Length - _position)
        {
            value.CopyTo(_buffer.AsSpan(_position));
            _position += value.Length;
            return;
        }

        // A value larger than what is left goes straight to the stream after what is buffered.
        Flush();
        stream.Write(value);
    }

    /// <summary>A field whose bytes the caller formats into <paramref name="maxLength"/> bytes at most; returns the span to fill.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Span<byte> BeginField(int maxLength)
    {
        Reserve(4 + maxLength);
        return _buffer.AsSpan(_position + 4, maxLength);
    }

    /// <summary>Ends a field begun with <see cref="BeginField"/> at the length written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EndField(int length)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), length);
        _position += 4 + length;
    }

    /// <summary>The trailer (a field count of -1), then everything buffered.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Complete()
    {
        Reserve(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_position), -1);
        _position += 2;
        Flush();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteInt32(int value)
    {
        Reserve(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Reserve(int bytes)
    {
        if (_buffer.Length - _position < bytes)
        {
            Flush();
        }
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
