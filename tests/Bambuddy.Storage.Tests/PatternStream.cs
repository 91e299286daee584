using System.Security.Cryptography;

namespace Bambuddy.Storage.Tests;

/// <summary>
/// A forward-only stream of <c>length</c> deterministic bytes made on the fly (nothing the size of the data is
/// allocated), answering reads in chunks of at most <c>maxChunk</c> bytes as a network stream would.
/// The byte at position p is <see cref="ByteAt"/>(p).
/// </summary>
internal sealed class PatternStream(long length, int maxChunk = 81_920) : Stream
{
    // A prime length, so the pattern never lines up with part or buffer boundaries.
    private const int BlockLength = 65_521;
    private static readonly byte[] Block = MakeBlock();

    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public static byte ByteAt(long position) => Block[(int)(position % BlockLength)];

    /// <summary>The SHA-256 (lower-case hex) of a pattern stream of <paramref name="length"/> bytes.</summary>
    public static string Sha256Of(long length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long done = 0; done < length;)
        {
            var offset = (int)(done % BlockLength);
            var count = (int)Math.Min(BlockLength - offset, length - done);
            hash.AppendData(Block, offset, count);
            done += count;
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(Math.Min(buffer.Length, maxChunk), length - _position);
        for (var done = 0; done < count;)
        {
            var blockOffset = (int)((_position + done) % BlockLength);
            var run = Math.Min(BlockLength - blockOffset, count - done);
            Block.AsSpan(blockOffset, run).CopyTo(buffer[done..]);
            done += run;
        }

        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private static byte[] MakeBlock()
    {
        var block = new byte[BlockLength];
        new Random(20260101).NextBytes(block);
        return block;
    }
}
