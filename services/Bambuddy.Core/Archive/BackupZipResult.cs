namespace Bambuddy.Core.Archive;

/// <summary>A ZIP as written: its length and SHA-256, and the manifest it ends with.</summary>
/// <param name="Size">Bytes written.</param>
/// <param name="Sha256">SHA-256 of the whole ZIP, lower-case hex.</param>
/// <param name="EntryCount">Entries in the ZIP, the manifest included.</param>
/// <param name="Manifest">The manifest written as the last entry.</param>
public sealed record BackupZipResult(long Size, string Sha256, int EntryCount, BackupManifest Manifest);
