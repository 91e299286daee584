using Bambuddy.Core.Bambuddy;
using Bambuddy.Core.Installation;
using Bambuddy.Core.Restore.Database;
using Bambuddy.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bambuddy.Restore.Tests.Database;

/// <summary>
/// The PostgreSQL bulk load: keys and indexes built after the rows, every column type a restore fills, text of a
/// UTF-16 database, and what a prepare stopped half-way leaves behind.
/// </summary>
[Collection(RestoreDatabaseCollection.Name)]
public sealed class PostgresBulkLoadTests(PostgresServer server)
{
    private const string CatalogOfPublic =
        """
        SELECT string_agg(d, E'\n' ORDER BY d) FROM (
          SELECT format('%s %s %s', c.relname, con.conname, pg_get_constraintdef(con.oid)) AS d
          FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid WHERE c.relnamespace = 'public'::regnamespace
          UNION ALL
          SELECT indexname || ' ' || regexp_replace(indexdef, ' ON \S+\.', ' ON ') FROM pg_indexes WHERE schemaname = 'public'
          UNION ALL
          SELECT format('%s.%s %s %s %s', table_name, column_name, data_type, is_nullable, coalesce(column_default, '-'))
          FROM information_schema.columns WHERE table_schema = 'public') x
        """;

    private static CancellationTokenSource Timeout() => new(TimeSpan.FromMinutes(4));

    [Fact]
    public async Task IntoAnEmptyDatabaseTheRestoredSchemaHasEveryKeyIndexAndDefaultOfBambuddysOwn()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var reference = await server.CreateDatabaseAsync("bulk_reference", ct);
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(reference) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await BambuddySchema.ApplyToPostgresAsync(connection, ct);
        }

        var target = await DemoDatabases.EmptyPostgresAsync(server, "bulk_keys", dir, ct);
        var backup = await DemoDatabases.BackupDbAsync(await DemoDatabases.SqliteAsync(dir.Combine("demo"), 91, ct), dir, ct);
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();

        await restore.PrepareAsync(jobId, backup, dir.Path, null, ct);
        await restore.CommitAsync(jobId, dir.Path, force: false, ct);

        var expected = (string)(await DemoDatabases.ScalarAsync(reference, CatalogOfPublic, ct))!;
        Assert.Contains("PRIMARY KEY (id)", expected, StringComparison.Ordinal);
        Assert.Contains("uq_printer_archive UNIQUE (printer_id, archive_id)", expected, StringComparison.Ordinal);
        Assert.Equal(expected, await DemoDatabases.ScalarAsync(target.ConnectionString, CatalogOfPublic, ct));
    }

    [Fact]
    public async Task BambuddysColumnsAsTheSchemaFileIsReadAreWhatTheServerMakesOfIt()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        var reference = await server.CreateDatabaseAsync("bulk_columns", ct);
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(reference) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await BambuddySchema.ApplyToPostgresAsync(connection, ct);
        }

        // The restore creates each table in the transaction that loads it, so it reads the columns from the file, not the server.
        var catalog = (string)(await DemoDatabases.ScalarAsync(reference,
            """
            SELECT string_agg(format('%s.%s %s %s %s', c.relname, a.attname, t.typname, a.attnotnull, a.atthasdef), E'\n' ORDER BY c.relname, a.attnum)
            FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped JOIN pg_type t ON t.oid = a.atttypid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
            """, ct))!;
        var parsed = string.Join("\n", BambuddySchema.PostgresColumns.OrderBy(t => t.Key, StringComparer.Ordinal)
            .SelectMany(t => t.Value.Select(c => $"{t.Key}.{c.Name} {c.TypeName} {(c.NotNull ? "t" : "f")} {(c.HasDefault ? "t" : "f")}")));
        Assert.Equal(BambuddySchema.TableCount, BambuddySchema.PostgresColumns.Count);
        Assert.Contains("print_archives.id int4 t t", parsed, StringComparison.Ordinal);
        Assert.Equal(catalog, parsed);
    }

    [Fact]
    public async Task EveryColumnTypeIsFilledFromEveryFormSqliteStoresItIn()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var target = await DemoDatabases.PostgresAsync(server, "bulk_types", dir.Combine("demo"), 92, ct);
        await DemoDatabases.ScalarAsync(target.ConnectionString,
            "CREATE TABLE extra_types (id serial PRIMARY KEY, n numeric, d date, t time, u uuid, j json, jb jsonb, b bytea, f4 real, i2 smallint, i8 bigint, flag boolean, v varchar(40))",
            ct);
        var backup = await DemoDatabases.BackupDbAsync(await DemoDatabases.SqliteAsync(dir.Combine("source"), 93, ct), dir, ct);
        await DemoDatabases.ExecuteAsync(backup,
            """
            CREATE TABLE extra_types (id INTEGER PRIMARY KEY, n NUMERIC, d DATE, t TIME, u TEXT, j TEXT, jb TEXT, b BLOB, f4 REAL, i2 INTEGER, i8 INTEGER, flag BOOLEAN, v TEXT);
            INSERT INTO extra_types VALUES
              (1, '12345.6789', '2024-02-29', '23:59:58.25', '0f8fad5b-d9cb-469f-a165-70867728950e', '{"a": [1, 2]}', '{"b": true}', x'00ff10', 1.5, -32768, 9007199254740993, 1, 'Überdruck ✓'),
              (2, -0.5, '2024-02-29 10:00:00', '00:00', '0F8FAD5B-D9CB-469F-A165-70867728950E', '[]', '"s"', 'text as bytes', 2, '7', '-1', 'false', 42),
              (3, 0, NULL, NULL, NULL, '"x"', '{}', NULL, '3.25', 0, 0, 0, 3.5),
              (4, 0.00001, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 't', NULL),
              (5, '100000000000000000000', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
              (6, 42, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            """,
            ct);
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();

        await restore.PrepareAsync(jobId, backup, dir.Path, null, ct);
        await restore.CommitAsync(jobId, dir.Path, force: false, ct);

        var rows = (string)(await DemoDatabases.ScalarAsync(target.ConnectionString,
            "SELECT string_agg(concat(id, '|', n, '|', d, '|', t, '|', u, '|', j, '|', jb, '|', encode(b, 'hex'), '|', f4, '|', i2, '|', i8, '|', flag, '|', v), E'\\n' ORDER BY id) FROM extra_types", ct))!;
        Assert.Equal(
            """
            1|12345.6789|2024-02-29|23:59:58.25|0f8fad5b-d9cb-469f-a165-70867728950e|{"a": [1, 2]}|{"b": true}|00ff10|1.5|-32768|9007199254740993|t|Überdruck ✓
            2|-0.5|2024-02-29|00:00:00|0f8fad5b-d9cb-469f-a165-70867728950e|[]|"s"|74657874206173206279746573|2|7|-1|f|42
            3|0||||"x"|{}||3.25|0|0|f|3.5
            4|0.00001||||||||||t|
            5|100000000000000000000|||||||||||
            6|42|||||||||||
            """.ReplaceLineEndings("\n"),
            rows);
        Assert.Equal(7L, await DemoDatabases.ScalarAsync(target.ConnectionString, "SELECT nextval('extra_types_id_seq')", ct));
    }

    [Fact]
    public async Task ValuesLargerThanTheCopyBufferArriveWhole()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var target = await DemoDatabases.PostgresAsync(server, "bulk_large", dir.Combine("demo"), 94, ct);
        await DemoDatabases.ScalarAsync(target.ConnectionString, "CREATE TABLE large_values (id serial PRIMARY KEY, t text, jb jsonb, b bytea)", ct);
        var backup = await DemoDatabases.BackupDbAsync(await DemoDatabases.SqliteAsync(dir.Combine("source"), 95, ct), dir, ct);
        // 200,000 two-byte characters, a 300 kB JSON document and a 150 kB blob: each more than the 64 KiB buffer.
        await DemoDatabases.ExecuteAsync(backup,
            """
            CREATE TABLE large_values (id INTEGER PRIMARY KEY, t TEXT, jb TEXT, b BLOB);
            INSERT INTO large_values VALUES (1, replace(hex(zeroblob(100000)), '00', 'üß'), '["' || hex(zeroblob(150000)) || '"]', randomblob(150000)), (2, 'small', '{}', x'01');
            """,
            ct);
        var expected = await SqliteDigestAsync(backup, ct);
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();

        await restore.PrepareAsync(jobId, backup, dir.Path, null, ct);
        await restore.CommitAsync(jobId, dir.Path, force: false, ct);

        Assert.Equal(expected, await DemoDatabases.ScalarAsync(target.ConnectionString,
            "SELECT string_agg(concat(id, ':', length(t), ':', md5(t), ':', length(jb::text), ':', md5(b)), ',' ORDER BY id) FROM large_values", ct));
    }

    private static async Task<string> SqliteDigestAsync(string path, CancellationToken ct)
    {
        await using var connection = DemoDatabases.Open(path);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, t, jb, b FROM large_values ORDER BY id";
        var parts = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var text = reader.GetString(1);
            parts.Add($"{reader.GetInt64(0)}:{text.Length}:{Md5(System.Text.Encoding.UTF8.GetBytes(text))}:{reader.GetString(2).Length}:{Md5((byte[])reader.GetValue(3))}");
        }

        return string.Join(',', parts);
    }

    private static string Md5(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes));

    [Fact]
    public async Task TextOfAUtf16DatabaseArrivesAsTheSameCharacters()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var target = await DemoDatabases.EmptyPostgresAsync(server, "bulk_utf16", dir, ct);
        var backup = dir.Combine("utf16.db");
        await using (var connection = DemoDatabases.Open(backup))
        {
            await connection.OpenAsync(ct);
            await using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA encoding = 'UTF-16le'";
                await pragma.ExecuteNonQueryAsync(ct);
            }

            await BambuddySchema.ApplyToSqliteAsync(connection, ct);
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO settings (id, key, value, created_at, updated_at) VALUES (1, 'Düse ✓ 噴嘴', 'ü', '2024-01-01 00:00:00', '2024-01-01 00:00:00')";
            await insert.ExecuteNonQueryAsync(ct);
        }

        SqliteConnection.ClearAllPools();
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();

        await restore.PrepareAsync(jobId, backup, dir.Path, null, ct);
        await restore.CommitAsync(jobId, dir.Path, force: false, ct);

        Assert.Equal("Düse ✓ 噴嘴|ü", await DemoDatabases.ScalarAsync(target.ConnectionString, "SELECT key || '|' || value FROM settings WHERE id = 1", ct));
    }

    [Fact]
    public async Task AHalfPreparedSchemaIsNeverCommittedAndIsDroppedByTheNextPrepareOrTheDiscard()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var target = await DemoDatabases.EmptyPostgresAsync(server, "bulk_partial", dir, ct);
        var backup = await DemoDatabases.EmptyBambuddySqliteAsync(dir, ct);
        var restore = RestoreTargets.For(target);
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        foreach (var jobId in new[] { first, second })
        {
            // What a worker killed during the load leaves: the schema under its building name, some tables loaded.
            await DemoDatabases.ScalarAsync(target.ConnectionString,
                $"CREATE SCHEMA {PostgresRestoreTarget.PartialSchemaName(jobId)}; CREATE TABLE {PostgresRestoreTarget.PartialSchemaName(jobId)}.printers (id int)", ct);
        }

        var refused = await Assert.ThrowsAsync<DatabaseRefusedException>(() => restore.CommitAsync(first, dir.Path, force: false, ct));
        await restore.DiscardAsync(first, dir.Path, ct);
        await restore.PrepareAsync(second, backup, dir.Path, null, ct);

        Assert.Contains("no prepared schema", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(PostgresRestoreTarget.NewSchemaName(second),
            await DemoDatabases.ScalarAsync(target.ConnectionString, "SELECT string_agg(nspname, ',') FROM pg_namespace WHERE nspname LIKE 'restore%'", ct));
        await restore.DiscardAsync(second, dir.Path, ct);
    }

    [Fact]
    public async Task ADuplicateKeyRefusesNamingTheConstraintAndLeavesNoSchema()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var target = await DemoDatabases.EmptyPostgresAsync(server, "bulk_duplicate", dir, ct);
        var backup = await DemoDatabases.EmptyBambuddySqliteAsync(dir, ct);
        // SQLite keeps a UNIQUE constraint only as declared: dropped here, two labels share a serial number.
        await DemoDatabases.ExecuteAsync(backup,
            """
            PRAGMA foreign_keys = OFF;
            DROP TABLE ams_labels;
            CREATE TABLE ams_labels (id INTEGER NOT NULL PRIMARY KEY, ams_serial_number VARCHAR(50) NOT NULL, ams_id INTEGER, label VARCHAR(100) NOT NULL,
                                     created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL);
            INSERT INTO ams_labels VALUES (1, 'SN1', 0, 'a', '2024-01-01 00:00:00', '2024-01-01 00:00:00'), (2, 'SN1', 1, 'b', '2024-01-01 00:00:00', '2024-01-01 00:00:00');
            """,
            ct);
        var restore = RestoreTargets.For(target);

        var refused = await Assert.ThrowsAsync<DatabaseRefusedException>(() => restore.PrepareAsync(Guid.NewGuid(), backup, dir.Path, null, ct));

        Assert.Equal("database", refused.Step);
        Assert.Contains("uq_ams_label_serial", refused.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("SN1", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(0L, await DemoDatabases.ScalarAsync(target.ConnectionString, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'restore%'", ct));
    }
}
