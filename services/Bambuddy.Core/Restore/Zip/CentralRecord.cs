namespace Bambuddy.Core.Restore.Zip;

/// <summary>One central directory header as read, Zip64 sizes resolved (checked by <see cref="ZipCatalogReader"/>).</summary>
/// <param name="Length">Bytes of the header with its name, extra field and comment.</param>
internal readonly record struct CentralRecord(
    string Name,
    int NameByteCount,
    byte Host,
    ushort Flags,
    ushort Method,
    uint Crc32,
    ulong Compressed,
    ulong Uncompressed,
    ulong LocalOffset,
    ushort DiskStart,
    uint External,
    int Length)
{
    public BackupZipEntry ToEntry() => new(Name, (long)Compressed, (long)Uncompressed, Crc32, Method, (long)LocalOffset);
}
