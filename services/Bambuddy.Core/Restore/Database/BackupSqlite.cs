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

    /// <summary>Ordinary tables (no FTS or its shadow tables) with their columns in order, in one query.</summary>
    public static async Task<Dictionary<string, List<SqliteColumn>>> ReadTablesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT t.name, c.name, c.type, c."notnull", c.dflt_value IS NOT NULL, c.pk, (SELECT count(*) FROM pragma_table_info(t.name) k WHERE k.pk > 0)
            FROM pragma_table_list t JOIN pragma_table_info(t.name) c
            WHERE t.schema = 'main' AND t.type = 'table' AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\'
            ORDER BY t.name, c.cid
            """;
        var tables = new Dictionary<string, List<SqliteColumn>>(StringComparer.OrdinalIgnoreCase);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var table = reader.GetString(0);
            if (!tables.TryGetValue(table, out var columns))
            {
                tables[table] = columns = [];
            }

            var type = reader.GetString(2);
            // An INTEGER PRIMARY KEY numbers itself: it has a default in all but name.
            var numbersItself = reader.GetInt64(5) == 1 && reader.GetInt64(6) == 1 && type.Equals("INTEGER", StringComparison.OrdinalIgnoreCase);
            columns.Add(new SqliteColumn(reader.GetString(1), type, reader.GetInt64(3) != 0, reader.GetBoolean(4) || numbersItself));
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
