namespace Bambuddy.Core.Archive;

/// <summary>One file in a backup's manifest.</summary>
/// <param name="Path">The entry's name in the ZIP.</param>
/// <param name="Size">Its uncompressed length.</param>
/// <param name="Sha256">The SHA-256 of its uncompressed content, lower-case hex.</param>
public sealed record BackupManifestEntry(string Path, long Size, string Sha256);
