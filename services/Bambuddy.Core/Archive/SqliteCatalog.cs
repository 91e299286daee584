using Microsoft.Data.Sqlite;

namespace Bambuddy.Core.Archive;

/// <summary>What a SQLite database holds, read from its own catalog.</summary>
internal static class SqliteCatalog
{
    /// <summary>Ordinary tables: not virtual, not FTS shadow tables, not SQLite's own.</summary>
    public static async Task<List<string>> ListTablesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    public static async Task<List<string>> ListColumnsAsync(SqliteConnection connection, string table, CancellationToken cancellationToken)
    {
        var columns = new List<string>();
        foreach (var column in await ListColumnDetailsAsync(connection, table, cancellationToken))
        {
            columns.Add(column.Name);
        }

        return columns;
    }

    public static async Task<List<SqliteColumn>> ListColumnDetailsAsync(SqliteConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info($table) ORDER BY cid";
        command.Parameters.AddWithValue("$table", table);
        var columns = new List<SqliteColumn>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            columns.Add(new SqliteColumn(reader.GetString(0), reader.GetString(1), reader.GetInt64(2) != 0, !reader.IsDBNull(3)));
        }

        return columns;
    }

    public static async Task<long> CountRowsAsync(SqliteConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {Quote(table)}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
