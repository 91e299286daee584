namespace Bambuddy.Core.Restore.Zip;

/// <summary>The checked file entries of a ZIP, where each one's data starts, and the entries a restore looks for.</summary>
internal sealed record ZipCatalog(
    List<BackupZipEntry> Entries,
    long[] DataOffsets,
    Dictionary<string, int> IndexByName,
    long TotalUncompressedBytes,
    int DatabaseIndex,
    int ManifestIndex);
