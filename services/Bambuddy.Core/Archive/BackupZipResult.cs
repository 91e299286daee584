namespace Bambuddy.Core.Archive;

/// <summary>A ZIP as written: its length and SHA-256, its entries, and what its manifest says of it as a whole.</summary>
/// <param name="Size">Bytes written.</param>
/// <param name="Sha256">SHA-256 of the whole ZIP, lower-case hex.</param>
/// <param name="EntryCount">Entries in the ZIP, the manifest included (which lists all the others).</param>
/// <param name="ContentBytes">The uncompressed bytes of every entry but the manifest.</param>
/// <param name="Manifest">The manifest's header (its format is <see cref="BackupManifest.CurrentFormatVersion"/>);
/// its entries are only in the ZIP: read them back with <see cref="BackupManifest.Parse"/>.</param>
public sealed record BackupZipResult(long Size, string Sha256, int EntryCount, long ContentBytes, BackupManifestInfo Manifest);
