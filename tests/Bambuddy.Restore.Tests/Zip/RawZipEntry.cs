using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace Bambuddy.Restore.Tests.Zip;

/// <summary>
/// One entry as <see cref="RawZipWriter"/> lays it out, every field forgeable: what the central directory and the
/// local header declare need not match the data or each other.
/// </summary>
internal sealed record RawZipEntry
{
    public const ushort UnixHost = 3 << 8 | 20;
    public const uint RegularFileMode = 0x81A4u << 16;

    public required byte[] Name { get; init; }

    /// <summary>The bytes after the local header, as stored (compressed when <see cref="Method"/> is 8).</summary>
    public required byte[] Data { get; init; }

    public ushort Method { get; init; }

    public ushort Flags { get; init; }

    public uint Crc32 { get; init; }

    public ulong CompressedSize { get; init; }

    public ulong UncompressedSize { get; init; }

    public ushort VersionMadeBy { get; init; } = UnixHost;

    public uint ExternalAttributes { get; init; } = RegularFileMode;

    /// <summary>The local header's name when it should differ from the central directory's.</summary>
    public byte[]? LocalName { get; init; }

    /// <summary>Writes the sizes (and offset) as 0xFFFFFFFF with the real values in Zip64 extra fields.</summary>
    public bool Zip64 { get; init; }

    /// <summary>Marks the sizes as Zip64 but leaves the extra field out of the central directory.</summary>
    public bool Zip64WithoutExtra { get; init; }

    /// <summary>Writes flag bit 3, zeros in the local header and a data descriptor after the data (as streaming writers do).</summary>
    public bool DataDescriptor { get; init; }

    public static RawZipEntry Stored(string name, byte[] content) => new()
    {
        Name = Encoding.UTF8.GetBytes(name),
        Data = content,
        Method = 0,
        Flags = Utf8Flag(name),
        Crc32 = System.IO.Hashing.Crc32.HashToUInt32(content),
        CompressedSize = (ulong)content.Length,
        UncompressedSize = (ulong)content.Length,
    };

    public static RawZipEntry Stored(string name, string content) => Stored(name, Encoding.UTF8.GetBytes(content));

    public static RawZipEntry Deflated(string name, byte[] content)
    {
        var compressed = Deflate(content);
        return new()
        {
            Name = Encoding.UTF8.GetBytes(name),
            Data = compressed,
            Method = 8,
            Flags = Utf8Flag(name),
            Crc32 = System.IO.Hashing.Crc32.HashToUInt32(content),
            CompressedSize = (ulong)compressed.Length,
            UncompressedSize = (ulong)content.Length,
        };
    }

    public static RawZipEntry Directory(string name) => Stored(name, []) with { ExternalAttributes = 0x41EDu << 16 | 0x10 };

    public static byte[] Deflate(byte[] content)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(content);
        }

        return output.ToArray();
    }

    private static ushort Utf8Flag(string name) => Ascii.IsValid(name) ? (ushort)0 : (ushort)(1 << 11);
}
