using Bambuddy.Core.Archive;
using Bambuddy.Core.Bambuddy;
using Microsoft.Data.Sqlite;

namespace Bambuddy.Core.Restore.Database;

/// <summary>Reading a SQLite file's tables and columns (a backup's, or a SQLite target's).</summary>
internal static class BackupSqlite
{
    public static SqliteConnection OpenReadOnly(string path) => new(new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadOnly,
        Pooling = false,
    }.ToString());

    /// <summary>Ordinary tables (no FTS or its shadow tables) with their columns in order.</summary>
    public static async Task<Dictionary<string, List<SqliteColumn>>> ReadTablesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var tables = new Dictionary<string, List<SqliteColumn>>(StringComparer.OrdinalIgnoreCase);
        foreach (var table in await SqliteCatalog.ListTablesAsync(connection, cancellationToken))
        {
            var columns = await SqliteCatalog.ListColumnDetailsAsync(connection, table, cancellationToken);
            var key = await PrimaryKeyAsync(connection, table, cancellationToken);
            // An INTEGER PRIMARY KEY numbers itself: it has a default in all but name.
            tables[table] = columns.Select(c => key.Count == 1 && key[0] == c.Name && c.DeclaredType.Equals("INTEGER", StringComparison.OrdinalIgnoreCase)
                ? c with { HasDefault = true }
                : c).ToList();
        }

        return tables;
    }

    /// <summary>The tables and columns of Bambuddy's own schema, as a new installation has them.</summary>
    public static async Task<Dictionary<string, List<SqliteColumn>>> ReadBambuddyTablesAsync(CancellationToken cancellationToken)
    {
        await using var memory = new SqliteConnection("Data Source=:memory:");
        await memory.OpenAsync(cancellationToken);
        await BambuddySchema.ApplyToSqliteAsync(memory, cancellationToken);
        return await ReadTablesAsync(memory, cancellationToken);
    }

    private static async Task<List<string>> PrimaryKeyAsync(SqliteConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info($table) WHERE pk > 0 ORDER BY pk";
        command.Parameters.AddWithValue("$table", table);
        var key = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            key.Add(reader.GetString(0));
        }

        return key;
    }

    public static async Task<bool> HasTableAsync(SqliteConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", name);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    public static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Compares a backup's tables with a target's, column names matched without regard to case.</summary>
    public static SchemaCheck Compare(
        Dictionary<string, List<SqliteColumn>> backup,
        IReadOnlyDictionary<string, List<SqliteColumn>> target)
    {
        var lost = new List<string>();
        var refusals = new List<string>();
        var defaulted = new List<string>();
        foreach (var (table, columns) in backup.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (!target.TryGetValue(table, out var targetColumns))
            {
                lost.Add(table);
                continue;
            }

            var names = targetColumns.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            lost.AddRange(columns.Where(c => !names.Contains(c.Name)).Select(c => $"{table}.{c.Name}"));
        }

        foreach (var (table, columns) in target.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (!backup.TryGetValue(table, out var backupColumns))
            {
                defaulted.Add(table);
                continue;
            }

            var names = backupColumns.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var column in columns.Where(c => !names.Contains(c.Name)))
            {
                (column.NotNull && !column.HasDefault ? refusals : defaulted).Add($"{table}.{column.Name}");
            }
        }

        return new SchemaCheck(lost, refusals, defaulted);
    }
}
