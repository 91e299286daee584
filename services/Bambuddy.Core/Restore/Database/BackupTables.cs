using Bambuddy.Core.Archive;

namespace Bambuddy.Core.Restore.Database;

/// <summary>A backup database's ordinary tables: their columns and how many rows each holds (names without regard to case).</summary>
internal sealed record BackupTables(Dictionary<string, List<SqliteColumn>> Columns, Dictionary<string, long> Rows)
{
    public static async Task<BackupTables> ReadAsync(string backupDbPath, CancellationToken ct)
    {
        await using var backup = BackupSqlite.OpenReadOnly(backupDbPath);
        await backup.OpenAsync(ct);
        var columns = await BackupSqlite.ReadTablesAsync(backup, ct);
        var rows = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var table in columns.Keys)
        {
            rows[table] = await SqliteCatalog.CountRowsAsync(backup, table, ct);
        }

        return new BackupTables(columns, rows);
    }
}
