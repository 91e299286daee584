using System.Security.Cryptography;

namespace Bambuddy.Storage.Tests;

/// <summary>Reads a stream to its end and checks it against the <see cref="PatternStream"/> bytes it should hold.</summary>
internal static class StreamAssert
{
    public static async Task<(long Length, string Sha256)> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long length = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            length += read;
        }

        return (length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    public static async Task HoldsPatternAsync(Stream stream, long offset, long expectedLength, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        long position = offset;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != PatternStream.ByteAt(position + i))
                {
                    Assert.Fail($"Byte {position + i} is {buffer[i]}, expected {PatternStream.ByteAt(position + i)}.");
                }
            }

            position += read;
        }

        Assert.Equal(expectedLength, position - offset);
    }
}
