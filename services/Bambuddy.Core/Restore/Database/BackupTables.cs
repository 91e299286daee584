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
        var tables = columns.Keys.ToList();
        if (tables.Count > 0)
        {
            // Every count in one statement.
            await using var count = backup.CreateCommand();
            count.CommandText = string.Join(" UNION ALL ", tables.Select((t, i) => $"SELECT {i}, count(*) FROM {SqliteCatalog.Quote(t)}"));
            await using var reader = await count.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows[tables[reader.GetInt32(0)]] = reader.GetInt64(1);
            }
        }

        return new BackupTables(columns, rows);
    }
}
