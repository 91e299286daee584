namespace Bambuddy.Core.Archive;

/// <summary>What an export into SQLite copied: rows per source table, and what could not be carried over exactly.</summary>
public sealed record SqliteExportResult(IReadOnlyDictionary<string, long> TableRowCounts, IReadOnlyList<string> Warnings);
