namespace Bambuddy.Core.Archive;

/// <summary>A finished backup ZIP in its output folder.</summary>
/// <param name="FileName"><c>bambuddy-backup-YYYYMMDD-HHMMSS.zip</c>.</param>
/// <param name="FullPath">Where it is.</param>
/// <param name="Size">Its length in bytes.</param>
/// <param name="Sha256">SHA-256 of the whole file, lower-case hex, computed while it was written.</param>
/// <param name="EntryCount">Entries in the ZIP, the database and the manifest included.</param>
/// <param name="TableRowCounts">Rows per table of the source database.</param>
/// <param name="Warnings">What was left out or changed, and why (symbolic links skipped, tables not in Bambuddy's schema, …).</param>
public sealed record LocalBackupResult(
    string FileName,
    string FullPath,
    long Size,
    string Sha256,
    int EntryCount,
    IReadOnlyDictionary<string, long> TableRowCounts,
    IReadOnlyList<string> Warnings);
