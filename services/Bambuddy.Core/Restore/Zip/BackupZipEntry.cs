namespace Bambuddy.Core.Restore.Zip;

/// <summary>A file entry of a backup ZIP, as its central directory declares it (directory entries are left out).</summary>
/// <param name="Name">The '/'-separated relative name, already checked to be safe.</param>
/// <param name="CompressedSize">Bytes of its data in the ZIP.</param>
/// <param name="UncompressedSize">Bytes once extracted; extraction refuses anything else.</param>
/// <param name="Crc32">The CRC-32 of the uncompressed bytes.</param>
/// <param name="Method">0 stored or 8 deflated.</param>
/// <param name="LocalHeaderOffset">Where its local header starts in the file.</param>
public sealed record BackupZipEntry(string Name, long CompressedSize, long UncompressedSize, uint Crc32, ushort Method, long LocalHeaderOffset);
