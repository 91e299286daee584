using System.Globalization;
using Bambuddy.Core.Bambuddy;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Bambuddy.Bench;

/// <summary>
/// The restore baseline an ORM amounts to: each table of the backup's SQLite file read through a data reader,
/// each value converted to the target column's type, one prepared INSERT per row, all in one transaction, into
/// Bambuddy's schema (PostgreSQL: tables and indexes first, foreign keys after the load, as ours does).
/// </summary>
public static class NaiveRestore
{
    public static async Task<long> IntoPostgresAsync(string backupDb, string connectionString, CancellationToken cancellationToken)
    {
        await using var source = await OpenSqliteAsync(backupDb, cancellationToken);
        await using var target = new NpgsqlConnection(connectionString);
        await target.OpenAsync(cancellationToken);
        foreach (var statement in BambuddySchema.PostgresTablesAndIndexes)
        {
            await using var ddl = new NpgsqlCommand(statement, target);
            await ddl.ExecuteNonQueryAsync(cancellationToken);
        }

        var columns = await ReadPostgresColumnsAsync(target, cancellationToken);
        await using var transaction = await target.BeginTransactionAsync(cancellationToken);
        long rows = 0;
        foreach (var table in await ReadSqliteTablesAsync(source, cancellationToken))
        {
            if (!columns.TryGetValue(table, out var targetColumns))
            {
                continue;
            }

            var shared = (await ReadSqliteColumnsAsync(source, table, cancellationToken)).Where(targetColumns.ContainsKey).ToList();
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO \"{table}\" ({string.Join(", ", shared.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", shared.Select((_, i) => $"${i + 1}"))})",
                target, transaction);
            foreach (var column in shared)
            {
                insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = targetColumns[column] });
            }

            await insert.PrepareAsync(cancellationToken);
            await using var select = source.CreateCommand();
            select.CommandText = $"SELECT {string.Join(", ", shared.Select(c => $"\"{c}\""))} FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                for (var i = 0; i < shared.Count; i++)
                {
                    insert.Parameters[i].Value = reader.IsDBNull(i) ? DBNull.Value : Convert(reader.GetValue(i), targetColumns[shared[i]]);
                }

                await insert.ExecuteNonQueryAsync(cancellationToken);
                rows++;
            }
        }

        foreach (var statement in BambuddySchema.PostgresForeignKeys)
        {
            await using var fk = new NpgsqlCommand(statement, target, transaction);
            await fk.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    public static async Task<long> IntoSqliteAsync(string backupDb, string targetPath, CancellationToken cancellationToken)
    {
        await using var source = await OpenSqliteAsync(backupDb, cancellationToken);
        await using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = targetPath, Pooling = false }.ToString());
        await target.OpenAsync(cancellationToken);
        await BambuddySchema.ApplyToSqliteAsync(target, cancellationToken);
        await using (var pragma = target.CreateCommand())
        {
            pragma.CommandText = "PRAGMA foreign_keys = OFF";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        var targetTables = (await ReadSqliteTablesAsync(target, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        await using var transaction = (SqliteTransaction)await target.BeginTransactionAsync(cancellationToken);
        long rows = 0;
        foreach (var table in await ReadSqliteTablesAsync(source, cancellationToken))
        {
            if (!targetTables.Contains(table))
            {
                continue;
            }

            var targetColumns = (await ReadSqliteColumnsAsync(target, table, cancellationToken)).ToHashSet(StringComparer.Ordinal);
            var shared = (await ReadSqliteColumnsAsync(source, table, cancellationToken)).Where(targetColumns.Contains).ToList();
            await using var insert = target.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", shared.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", shared.Select((_, i) => $"$p{i}"))})";
            for (var i = 0; i < shared.Count; i++)
            {
                insert.Parameters.Add(new SqliteParameter($"$p{i}", null));
            }

            await insert.PrepareAsync(cancellationToken);
            await using var select = source.CreateCommand();
            select.CommandText = $"SELECT {string.Join(", ", shared.Select(c => $"\"{c}\""))} FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                for (var i = 0; i < shared.Count; i++)
                {
                    insert.Parameters[i].Value = reader.IsDBNull(i) ? DBNull.Value : reader.GetValue(i);
                }

                await insert.ExecuteNonQueryAsync(cancellationToken);
                rows++;
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    private static object Convert(object value, NpgsqlDbType type) => type switch
    {
        NpgsqlDbType.Boolean => System.Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0,
        NpgsqlDbType.Smallint => System.Convert.ToInt16(value, CultureInfo.InvariantCulture),
        NpgsqlDbType.Integer => System.Convert.ToInt32(value, CultureInfo.InvariantCulture),
        NpgsqlDbType.Bigint => System.Convert.ToInt64(value, CultureInfo.InvariantCulture),
        NpgsqlDbType.Double => System.Convert.ToDouble(value, CultureInfo.InvariantCulture),
        NpgsqlDbType.Real => System.Convert.ToSingle(value, CultureInfo.InvariantCulture),
        NpgsqlDbType.Numeric => System.Convert.ToDecimal(value, CultureInfo.InvariantCulture),
        NpgsqlDbType.Timestamp => DateTime.SpecifyKind(DateTime.Parse((string)value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), DateTimeKind.Unspecified),
        NpgsqlDbType.TimestampTz => DateTime.SpecifyKind(DateTime.Parse((string)value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), DateTimeKind.Utc),
        NpgsqlDbType.Date => DateOnly.FromDateTime(DateTime.Parse((string)value, CultureInfo.InvariantCulture)),
        NpgsqlDbType.Bytea => value is byte[] ? value : System.Text.Encoding.UTF8.GetBytes(System.Convert.ToString(value, CultureInfo.InvariantCulture)!),
        _ => System.Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private static async Task<Dictionary<string, Dictionary<string, NpgsqlDbType>>> ReadPostgresColumnsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var tables = new Dictionary<string, Dictionary<string, NpgsqlDbType>>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var type = reader.GetString(2) switch
            {
                "boolean" => NpgsqlDbType.Boolean,
                "smallint" => NpgsqlDbType.Smallint,
                "integer" => NpgsqlDbType.Integer,
                "bigint" => NpgsqlDbType.Bigint,
                "double precision" => NpgsqlDbType.Double,
                "real" => NpgsqlDbType.Real,
                "numeric" => NpgsqlDbType.Numeric,
                "timestamp without time zone" => NpgsqlDbType.Timestamp,
                "timestamp with time zone" => NpgsqlDbType.TimestampTz,
                "date" => NpgsqlDbType.Date,
                "json" => NpgsqlDbType.Json,
                "jsonb" => NpgsqlDbType.Jsonb,
                "bytea" => NpgsqlDbType.Bytea,
                _ => NpgsqlDbType.Text,
            };
            (tables.TryGetValue(reader.GetString(0), out var columns) ? columns : tables[reader.GetString(0)] = new(StringComparer.Ordinal))[reader.GetString(1)] = type;
        }

        return tables;
    }

    private static async Task<SqliteConnection> OpenSqliteAsync(string path, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static async Task<List<string>> ReadSqliteTablesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'archive_fts%' ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tables = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static async Task<List<string>> ReadSqliteColumnsAsync(SqliteConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info('{table.Replace("'", "''", StringComparison.Ordinal)}')";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }
}
