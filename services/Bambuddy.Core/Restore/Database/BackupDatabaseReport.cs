namespace Bambuddy.Core.Restore.Database;

/// <summary>What <see cref="BackupDatabaseInspector"/> found in a backup's <c>bambuddy.db</c>.</summary>
/// <param name="SourceBackend"><c>sqlite</c>, <c>postgresql</c> or <c>unknown</c>.</param>
/// <param name="Orphans">Foreign keys whose parent row is missing, as <c>table.column=value → parent missing</c> (at most about 100).</param>
/// <param name="OrphanCount">All orphans, listed or not.</param>
/// <param name="Rows">Rows of every ordinary table.</param>
public sealed record BackupDatabaseReport(string SourceBackend, IReadOnlyList<string> Orphans, int OrphanCount, long Rows, IReadOnlyList<string> Warnings);
