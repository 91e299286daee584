namespace Bambuddy.Core.Storage;

/// <summary>A finished backup in a store.</summary>
/// <param name="Name">Its file name, <c>bambuddy-backup-*.zip</c>.</param>
/// <param name="Size">Its length in bytes.</param>
/// <param name="LastModified">When it was last written (the store's clock).</param>
/// <param name="Sha256">Its SHA-256 as lower-case hex, when the store keeps it (S3 metadata); null otherwise.</param>
public sealed record StoredBackup(string Name, long Size, DateTimeOffset LastModified, string? Sha256);
