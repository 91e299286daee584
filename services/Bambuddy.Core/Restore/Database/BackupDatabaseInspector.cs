using System.Globalization;
using Bambuddy.Core.Archive;
using Microsoft.Data.Sqlite;

namespace Bambuddy.Core.Restore.Database;

/// <summary>Checks a backup's <c>bambuddy.db</c> before anything is touched (DESIGN §5 step 1).</summary>
public static class BackupDatabaseInspector
{
    private const int MaxListedOrphans = 100;
    private static readonly string[] _coreTables = ["printers", "print_archives", "settings"];
    private static readonly byte[] _sqliteHeader = "SQLite format 3\0"u8.ToArray();

    /// <summary>
    /// Opens the file read-only and refuses (step <c>validate</c>) what is not a sound Bambuddy database;
    /// lists orphaned foreign keys. The source backend comes from the manifest when known, else from the
    /// file: Bambuddy's SQLite installations have <c>archive_fts</c>, its PostgreSQL exports do not.
    /// </summary>
    public static async Task<BackupDatabaseReport> InspectAsync(string sqlitePath, string? manifestSourceBackend, CancellationToken ct)
    {
        await CheckHeaderAsync(sqlitePath, ct);
        var warnings = new List<string>();
        try
        {
            await using var connection = BackupSqlite.OpenReadOnly(sqlitePath);
            await connection.OpenAsync(ct);
            await CheckIntegrityAsync(connection, ct);

            var tables = await SqliteCatalog.ListTablesAsync(connection, ct);
            var missing = _coreTables.Where(t => !tables.Contains(t, StringComparer.OrdinalIgnoreCase)).ToList();
            if (missing.Count > 0)
            {
                throw new DatabaseRefusedException("validate", $"The backup's database is not Bambuddy's: it lacks the table(s) {string.Join(", ", missing)}.");
            }

            var rows = 0L;
            foreach (var table in tables)
            {
                rows += await SqliteCatalog.CountRowsAsync(connection, table, ct);
            }

            var (orphans, orphanCount) = await FindOrphansAsync(connection, ct);
            var source = manifestSourceBackend?.ToLowerInvariant() switch
            {
                "sqlite" => "sqlite",
                "postgresql" or "postgres" => "postgresql",
                _ => null,
            };
            if (source is null)
            {
                source = await BackupSqlite.HasTableAsync(connection, "archive_fts", ct) ? "sqlite" : "postgresql";
                warnings.Add($"The source backend was not given; from the file it looks like {source} (archive_fts {(source == "sqlite" ? "present" : "absent")}).");
            }

            return new BackupDatabaseReport(source, orphans, orphanCount, rows, warnings);
        }
        catch (SqliteException e)
        {
            // SQLITE_CORRUPT, SQLITE_NOTADB and the like: the message is SQLite's, which holds no stored values.
            throw new DatabaseRefusedException("validate", $"The backup's database cannot be read: {e.Message}");
        }
    }

    private static async Task CheckHeaderAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            throw new DatabaseRefusedException("validate", "The backup has no database file.");
        }

        var header = new byte[_sqliteHeader.Length];
        await using var stream = File.OpenRead(path);
        var read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, ct);
        if (read < header.Length || !header.AsSpan().SequenceEqual(_sqliteHeader))
        {
            throw new DatabaseRefusedException("validate", "The backup's bambuddy.db is not a SQLite database.");
        }
    }

    private static async Task CheckIntegrityAsync(SqliteConnection connection, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check(20)";
        var problems = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            problems.Add(reader.GetString(0));
        }

        if (problems is not ["ok"])
        {
            throw new DatabaseRefusedException("validate", $"The backup's database fails its integrity check: {string.Join("; ", problems.Take(5))}");
        }
    }

    private static async Task<(List<string> Orphans, int Count)> FindOrphansAsync(SqliteConnection connection, CancellationToken ct)
    {
        var found = new List<(string Table, long? RowId, string Parent, long ForeignKeyId)>();
        var count = 0;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT \"table\", rowid, parent, fkid FROM pragma_foreign_key_check";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                if (count++ < MaxListedOrphans)
                {
                    found.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3)));
                }
            }
        }

        var lines = new List<string>();
        foreach (var (table, rowId, parent, foreignKeyId) in found)
        {
            var columns = new List<string>();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT \"from\" FROM pragma_foreign_key_list($table) WHERE id = $id ORDER BY seq";
                command.Parameters.AddWithValue("$table", table);
                command.Parameters.AddWithValue("$id", foreignKeyId);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    columns.Add(reader.GetString(0));
                }
            }

            var values = new List<string>();
            foreach (var column in columns)
            {
                // Key values are ids, never secrets.
                values.Add(rowId is null ? "?" : await KeyValueAsync(connection, table, column, rowId.Value, ct));
            }

            lines.Add($"{table}.{string.Join(",", columns)}={string.Join(",", values)} → {parent} missing");
        }

        return (lines, count);
    }

    private static async Task<string> KeyValueAsync(SqliteConnection connection, string table, string column, long rowId, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteCatalog.Quote(column)} FROM {SqliteCatalog.Quote(table)} WHERE rowid = $rowid";
        command.Parameters.AddWithValue("$rowid", rowId);
        return Convert.ToString(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) ?? "NULL";
    }
}
