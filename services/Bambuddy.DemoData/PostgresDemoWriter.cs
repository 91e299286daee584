using System.Globalization;
using Bambuddy.Core.Bambuddy;
using Npgsql;
using NpgsqlTypes;

namespace Bambuddy.DemoData;

/// <summary>PostgreSQL through binary COPY, each value converted to its column's type from the catalog.</summary>
internal sealed class PostgresDemoWriter(string connectionString) : DemoDatabaseWriter
{
    private readonly NpgsqlConnection _connection = new(connectionString);
    private readonly List<string> _written = [];
    private NpgsqlTransaction? _transaction;

    protected override Task OpenAsync(CancellationToken cancellationToken) => _connection.OpenAsync(cancellationToken);

    public override async Task<bool> HasTableAsync(string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass(@name) IS NOT NULL", _connection);
        command.Parameters.AddWithValue("name", $"\"{table}\"");
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public override async Task<long> CountRowsAsync(string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT COUNT(*) FROM \"{table}\"", _connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public override Task ApplySchemaAsync(CancellationToken cancellationToken) => BambuddySchema.ApplyToPostgresAsync(_connection, cancellationToken);

    public override async Task BeginAsync(CancellationToken cancellationToken) =>
        _transaction = await _connection.BeginTransactionAsync(cancellationToken);

    public override async Task WriteAsync(DemoTable table, CancellationToken cancellationToken)
    {
        var types = await ColumnTypesAsync(table.Name, cancellationToken);
        var columnTypes = table.Columns.Select(c => types.TryGetValue(c, out var t) ? t : throw new InvalidOperationException($"{table.Name}.{c} does not exist.")).ToArray();
        var copy = $"COPY \"{table.Name}\" ({string.Join(", ", table.Columns.Select(c => $"\"{c}\""))}) FROM STDIN (FORMAT BINARY)";
        await using (var importer = await _connection.BeginBinaryImportAsync(copy, cancellationToken))
        {
            foreach (var row in table.Rows)
            {
                await importer.StartRowAsync(cancellationToken);
                for (var i = 0; i < row.Length; i++)
                {
                    await WriteValueAsync(importer, row[i], columnTypes[i], cancellationToken);
                }
            }

            await importer.CompleteAsync(cancellationToken);
        }

        if (table.Columns.Contains("id"))
        {
            _written.Add(table.Name);
        }
    }

    public override async Task CommitAsync(CancellationToken cancellationToken)
    {
        // Explicit ids were loaded: move each serial past them, or Bambuddy's next insert collides.
        foreach (var table in _written)
        {
            await using var command = new NpgsqlCommand(
                $"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM \"{table}\"), false) " +
                $"WHERE pg_get_serial_sequence('\"{table}\"', 'id') IS NOT NULL",
                _connection, _transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await _transaction!.CommitAsync(cancellationToken);
        await _transaction.DisposeAsync();
        _transaction = null;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
        }

        await _connection.DisposeAsync();
    }

    private async Task<Dictionary<string, string>> ColumnTypesAsync(string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table",
            _connection, _transaction);
        command.Parameters.AddWithValue("table", table);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            types[reader.GetString(0)] = reader.GetString(1);
        }

        return types;
    }

    private static Task WriteValueAsync(NpgsqlBinaryImporter importer, object? value, string type, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            return importer.WriteNullAsync(cancellationToken);
        }

        var invariant = CultureInfo.InvariantCulture;
        return type switch
        {
            "int4" => importer.WriteAsync(Convert.ToInt32(value, invariant), NpgsqlDbType.Integer, cancellationToken),
            "int8" => importer.WriteAsync(Convert.ToInt64(value, invariant), NpgsqlDbType.Bigint, cancellationToken),
            "int2" => importer.WriteAsync(Convert.ToInt16(value, invariant), NpgsqlDbType.Smallint, cancellationToken),
            "float8" => importer.WriteAsync(Convert.ToDouble(value, invariant), NpgsqlDbType.Double, cancellationToken),
            "float4" => importer.WriteAsync(Convert.ToSingle(value, invariant), NpgsqlDbType.Real, cancellationToken),
            "bool" => importer.WriteAsync((bool)value, NpgsqlDbType.Boolean, cancellationToken),
            "timestamp" => importer.WriteAsync(DateTime.SpecifyKind((DateTime)value, DateTimeKind.Unspecified), NpgsqlDbType.Timestamp, cancellationToken),
            "timestamptz" => importer.WriteAsync(DateTime.SpecifyKind((DateTime)value, DateTimeKind.Utc), NpgsqlDbType.TimestampTz, cancellationToken),
            "json" => importer.WriteAsync((string)value, NpgsqlDbType.Json, cancellationToken),
            "jsonb" => importer.WriteAsync((string)value, NpgsqlDbType.Jsonb, cancellationToken),
            "bytea" => importer.WriteAsync((byte[])value, NpgsqlDbType.Bytea, cancellationToken),
            _ => importer.WriteAsync(Convert.ToString(value, invariant)!, NpgsqlDbType.Text, cancellationToken),
        };
    }
}
