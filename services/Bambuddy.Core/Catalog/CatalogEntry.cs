namespace Bambuddy.Core.Catalog;

/// <summary>One of our backups: which ZIPs are ours, of which kind, and where their copies are.</summary>
public sealed record CatalogEntry(
    string FileName,
    string Kind,
    Guid? JobId,
    long Size,
    string Sha256,
    DateTimeOffset CreatedAt,
    string OutputPath,
    IReadOnlyList<string> Locations);
