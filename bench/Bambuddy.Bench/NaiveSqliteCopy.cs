using System.Globalization;
using Bambuddy.Core.Bambuddy;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bambuddy.Bench;

/// <summary>
/// The baseline an ORM-ish copy amounts to: <c>SELECT *</c> of each table through a data reader, each value
/// turned into a SQLite value, one prepared INSERT per row, all in one SQLite transaction. Into bare tables
/// (no index, constraint or trigger), or into Bambuddy's own SQLite schema as the exporter writes it, with its
/// triggers firing per row as they would under an ORM.
/// </summary>
public static class NaiveSqliteCopy
{
    public static async Task<IReadOnlyDictionary<string, long>> CopyAsync(
        string connectionString, string targetPath, bool bambuddySchema, CancellationToken cancellationToken)
    {
        await using var source = new NpgsqlConnection(connectionString);
        await source.OpenAsync(cancellationToken);
        await using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = targetPath, Pooling = false }.ToString());
        await target.OpenAsync(cancellationToken);
        await using (var pragma = target.CreateCommand())
        {
            // Tables go in name order, not in foreign-key order.
            pragma.CommandText = "PRAGMA foreign_keys = OFF";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        var existing = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (bambuddySchema)
        {
            await BambuddySchema.ApplyToSqliteAsync(target, cancellationToken);
            await using var list = target.CreateCommand();
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var names = await list.ExecuteReaderAsync(cancellationToken);
            while (await names.ReadAsync(cancellationToken))
            {
                existing.Add(names.GetString(0));
            }
        }

        await using var transaction = (SqliteTransaction)await target.BeginTransactionAsync(cancellationToken);

        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in await ReadTablesAsync(source, cancellationToken))
        {
            counts[table] = await CopyTableAsync(source, target, transaction, table, existing.Contains(table), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return counts;
    }

    private static async Task<List<string>> ReadTablesAsync(NpgsqlConnection source, CancellationToken cancellationToken)
    {
        // The exporter's set: base tables of the public schema.
        await using var command = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name", source);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tables = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static async Task<long> CopyTableAsync(
        NpgsqlConnection source, SqliteConnection target, SqliteTransaction transaction, string table, bool exists, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand($"SELECT * FROM public.{Quote(table)}", source);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        if (columns.Length == 0)
        {
            return 0;
        }

        if (!exists)
        {
            await using var create = target.CreateCommand();
            create.Transaction = transaction;
            create.CommandText = $"CREATE TABLE {Quote(table)} ({string.Join(", ", columns.Select(Quote))})";
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var insert = target.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO {Quote(table)} ({string.Join(", ", columns.Select(Quote))}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))})";
        var parameters = columns.Select((_, i) => insert.Parameters.Add(new SqliteParameter("$p" + i, null))).ToArray();
        insert.Prepare();

        long rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = ToSqlite(reader.GetValue(i));
            }

            await insert.ExecuteNonQueryAsync(cancellationToken);
            rows++;
        }

        return rows;
    }

    /// <summary>The forms Bambuddy's SQLite databases hold: booleans 0/1, datetimes and everything else unusual as text.</summary>
    private static object ToSqlite(object value) => value switch
    {
        DBNull => DBNull.Value,
        bool b => b ? 1L : 0L,
        DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        string or long or int or short or double or float or decimal or byte[] => value,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
}
