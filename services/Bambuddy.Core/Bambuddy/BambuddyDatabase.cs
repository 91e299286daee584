using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Bambuddy.Core.Installation;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bambuddy.Core.Bambuddy;

/// <summary>
/// Reads the protected installation's database, SQLite or PostgreSQL, with the same results from
/// either: tables from the catalog, row counts, and the rows the git export writes, ordered by id.
/// </summary>
public sealed class BambuddyDatabase : IAsyncDisposable
{
    /// <summary>Bambuddy's key order for <c>spools/inventory.json</c> (table <c>spool</c>).</summary>
    public static readonly IReadOnlyList<string> SpoolColumns =
    [
        "id", "material", "subtype", "color_name", "rgba", "brand", "label_weight", "core_weight", "weight_used",
        "weight_locked", "slicer_filament", "slicer_filament_name", "nozzle_temp_min", "nozzle_temp_max", "note",
        "cost_per_kg", "tag_uid", "tray_uuid", "data_origin", "tag_type", "archived_at", "created_at",
    ];

    /// <summary>Bambuddy's key order for <c>spools/usage_history.json</c> (table <c>spool_usage_history</c>).</summary>
    public static readonly IReadOnlyList<string> SpoolUsageColumns =
    [
        "id", "spool_id", "printer_id", "print_name", "archive_id", "weight_used", "percent_used", "status", "cost", "created_at",
    ];

    /// <summary>Bambuddy's key order for <c>archives/print_history.json</c> (table <c>print_archives</c>).</summary>
    public static readonly IReadOnlyList<string> PrintArchiveColumns =
    [
        "id", "printer_id", "project_id", "filename", "file_size", "content_hash", "print_name", "print_time_seconds",
        "filament_used_grams", "filament_type", "filament_color", "layer_height", "total_layers", "nozzle_diameter",
        "bed_temperature", "nozzle_temperature", "sliced_for_model", "status", "started_at", "completed_at",
        "makerworld_url", "designer", "external_url", "is_favorite", "tags", "notes", "cost", "failure_reason",
        "quantity", "energy_kwh", "energy_cost", "created_at",
    ];

    private readonly Dictionary<string, IReadOnlyList<string>> _columns = new(StringComparer.Ordinal);
    private IReadOnlyList<string>? _tables;

    private BambuddyDatabase(DbConnection connection, DatabaseBackend backend)
    {
        Connection = connection;
        Backend = backend;
    }

    public DatabaseBackend Backend { get; }

    /// <summary>The open connection, for callers that need more than these readers.</summary>
    public DbConnection Connection { get; }

    /// <summary>
    /// Opens the installation's database. A SQLite file must exist (it is never created here); it is opened
    /// without pooling so no handle outlives this object (nor an idle session on Bambuddy's PostgreSQL database).
    /// </summary>
    public static async Task<BambuddyDatabase> OpenAsync(BambuddyInstallation installation, CancellationToken cancellationToken)
    {
        DbConnection connection = installation.Backend switch
        {
            DatabaseBackend.Sqlite => new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = installation.ConnectionString,
                Mode = SqliteOpenMode.ReadWrite,
                Pooling = false,
            }.ConnectionString),
            _ => new NpgsqlConnection(new NpgsqlConnectionStringBuilder(installation.ConnectionString) { Pooling = false }.ConnectionString),
        };

        try
        {
            await connection.OpenAsync(cancellationToken);
            return new BambuddyDatabase(connection, installation.Backend);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Every table in the database, from its catalog, ordered by name (ordinal). SQLite's own tables and
    /// the FTS5 index (<c>archive_fts</c> and its shadow tables, rebuilt from <c>print_archives</c>) are not listed.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListTablesAsync(CancellationToken cancellationToken)
    {
        if (_tables is not null)
        {
            return _tables;
        }

        var sql = Backend == DatabaseBackend.Sqlite
            ? "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            : "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " +
              "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')";
        var tables = new List<string>();
        await using var command = CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(reader.GetString(0));
        }

        tables.Sort(StringComparer.Ordinal);
        return _tables = tables;
    }

    /// <summary>The columns of a table, in table order.</summary>
    public async Task<IReadOnlyList<string>> ListColumnsAsync(string table, CancellationToken cancellationToken)
    {
        await RequireTableAsync(table, cancellationToken);
        if (_columns.TryGetValue(table, out var cached))
        {
            return cached;
        }

        var sql = Backend == DatabaseBackend.Sqlite
            ? "SELECT name FROM pragma_table_info(@table) ORDER BY cid"
            : "SELECT a.attname FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid " +
              "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " +
              "WHERE n.nspname = current_schema() AND c.relname = @table AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
        var columns = new List<string>();
        await using var command = CreateCommand(sql, ("table", table));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            columns.Add(reader.GetString(0));
        }

        _columns[table] = columns;
        return columns;
    }

    public async Task<long> CountRowsAsync(string table, CancellationToken cancellationToken)
    {
        await RequireTableAsync(table, cancellationToken);
        await using var command = CreateCommand($"SELECT COUNT(*) FROM {Quote(table)}");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <summary>The row count of every table <see cref="ListTablesAsync"/> lists.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountAllRowsAsync(CancellationToken cancellationToken)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in await ListTablesAsync(cancellationToken))
        {
            counts[table] = await CountRowsAsync(table, cancellationToken);
        }

        return counts;
    }

    /// <summary>
    /// The rows of a table ordered by <c>id</c> (tables without one: by their first column), with the
    /// given columns in the given order (all columns when null). A column the table lacks (an older
    /// Bambuddy) reads as null.
    /// </summary>
    public async IAsyncEnumerable<BambuddyRow> ReadRowsAsync(
        string table, IReadOnlyList<string>? columns, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var existing = await ListColumnsAsync(table, cancellationToken);
        var wanted = columns ?? existing;
        var selected = wanted.Where(existing.Contains).ToList();
        var orderBy = existing.Contains("id") ? "id" : Quote(existing[0]);
        var select = selected.Count == 0 ? "1" : string.Join(", ", selected.Select(Quote));
        await using var command = CreateCommand($"SELECT {select} FROM {Quote(table)} ORDER BY {orderBy}");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ordinals = wanted.Select(c => selected.IndexOf(c)).ToArray();
        var sqliteTypes = Backend == DatabaseBackend.Sqlite
            ? Enumerable.Range(0, selected.Count).Select(reader.GetDataTypeName).ToArray()
            : null;
        while (await reader.ReadAsync(cancellationToken))
        {
            var values = new KeyValuePair<string, object?>[wanted.Count];
            for (var i = 0; i < wanted.Count; i++)
            {
                var ordinal = ordinals[i];
                var value = ordinal < 0 || reader.IsDBNull(ordinal) ? null : reader.GetValue(ordinal);
                values[i] = new(wanted[i], value is null ? null : Normalize(value, sqliteTypes?[ordinal]));
            }

            yield return new BambuddyRow(values);
        }
    }

    /// <summary>Bambuddy's app settings (<c>settings.key</c>, <c>settings.value</c>) ordered by id.</summary>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> ReadSettingsAsync(CancellationToken cancellationToken)
    {
        var settings = new List<KeyValuePair<string, string>>();
        await foreach (var row in ReadRowsAsync("settings", ["key", "value"], cancellationToken))
        {
            settings.Add(new((string)row[0].Value!, row[1].Value as string ?? ""));
        }

        return settings;
    }

    public async Task<IReadOnlyList<BambuddyPrinter>> ReadPrintersAsync(CancellationToken cancellationToken)
    {
        var printers = new List<BambuddyPrinter>();
        string[] columns = ["id", "name", "serial_number", "ip_address", "access_code", "model", "is_active"];
        await foreach (var row in ReadRowsAsync("printers", columns, cancellationToken))
        {
            printers.Add(new BambuddyPrinter(
                (long)row[0].Value!, (string)row[1].Value!, (string)row[2].Value!, (string)row[3].Value!,
                (string)row[4].Value!, row[5].Value as string, row[6].Value as bool? ?? true));
        }

        return printers;
    }

    /// <summary>The <c>spool</c> table in <see cref="SpoolColumns"/> order.</summary>
    public Task<IReadOnlyList<BambuddyRow>> ReadSpoolsAsync(CancellationToken cancellationToken) =>
        ReadAllAsync("spool", SpoolColumns, cancellationToken);

    /// <summary>The <c>spool_usage_history</c> table in <see cref="SpoolUsageColumns"/> order.</summary>
    public Task<IReadOnlyList<BambuddyRow>> ReadSpoolUsageAsync(CancellationToken cancellationToken) =>
        ReadAllAsync("spool_usage_history", SpoolUsageColumns, cancellationToken);

    /// <summary>The <c>print_archives</c> table (soft-deleted rows included) in <see cref="PrintArchiveColumns"/> order.</summary>
    public Task<IReadOnlyList<BambuddyRow>> ReadPrintArchivesAsync(CancellationToken cancellationToken) =>
        ReadAllAsync("print_archives", PrintArchiveColumns, cancellationToken);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    private async Task<IReadOnlyList<BambuddyRow>> ReadAllAsync(string table, IReadOnlyList<string> columns, CancellationToken cancellationToken)
    {
        var rows = new List<BambuddyRow>();
        await foreach (var row in ReadRowsAsync(table, columns, cancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    private static object Normalize(object value, string? sqliteDeclaredType) => value switch
    {
        // SQLite keeps booleans as 0/1, and a few of Bambuddy's server defaults as the text 'true'/'false'.
        long l when IsBoolean(sqliteDeclaredType) => l != 0,
        string s when IsBoolean(sqliteDeclaredType) && bool.TryParse(s, out var b) => b,
        int i => (long)i,
        short s => (long)s,
        float f => (double)f,
        decimal d => (double)d,
        DateTime dt => FormatDateTime(dt),
        DateTimeOffset dto => FormatDateTime(dto.UtcDateTime),
        _ => value,
    };

    private static bool IsBoolean(string? declaredType) =>
        declaredType is not null && declaredType.Equals("BOOLEAN", StringComparison.OrdinalIgnoreCase);

    /// <summary>As Python's <c>str(datetime)</c>: microseconds only when not zero, <c>+00:00</c> when aware.</summary>
    private static string FormatDateTime(DateTime value)
    {
        var text = value.ToString(value.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        return value.Kind == DateTimeKind.Utc ? text + "+00:00" : text;
    }

    private async Task RequireTableAsync(string table, CancellationToken cancellationToken)
    {
        var tables = await ListTablesAsync(cancellationToken);
        if (!tables.Contains(table, StringComparer.Ordinal))
        {
            throw new ArgumentException($"The database has no table '{table}'.", nameof(table));
        }
    }

    private DbCommand CreateCommand(string sql, params (string Name, object Value)[] parameters)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
