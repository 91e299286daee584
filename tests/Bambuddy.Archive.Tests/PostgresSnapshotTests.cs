using System.Text.RegularExpressions;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Bambuddy;
using Bambuddy.Core.Installation;
using Bambuddy.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bambuddy.Archive.Tests;

public sealed partial class PostgresSnapshotTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task PostgresBackupHoldsEveryTableAsBambuddysSqliteSchemaWithRowsInItsForms()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var dir = new TempDirectory();
        var connectionString = await postgres.CreateDatabaseAsync("archive_roundtrip", cts.Token);
        await TestInstallation.SeedPostgresAsync(connectionString, cts.Token);
        var hashes = TestInstallation.CreateDataDirectory(dir.Combine("data"));
        var installation = new BambuddyInstallation(dir.Combine("data"), DatabaseBackend.PostgreSql, connectionString);

        var result = await new LocalBackupWriter().WriteAsync(installation, dir.Combine("out"), dir.Combine("tmp"), TimeZoneInfo.Utc, null, cts.Token);

        var entries = await ZipInspection.ReadEntriesAsync(result.FullPath, cts.Token);
        Assert.Equal(["bambuddy.db", .. hashes.Keys.Order(StringComparer.Ordinal), BackupManifest.FileName], entries.Select(e => e.Name));
        var (exit, output) = await ZipInspection.UnzipTestAsync(result.FullPath, cts.Token);
        Assert.True(exit == 0, output);
        Assert.Equal("postgresql", (await ZipInspection.ReadManifestAsync(result.FullPath, cts.Token)).SourceBackend);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Combine("tmp")));

        var exported = dir.Combine("bambuddy.db");
        await ZipInspection.ExtractEntryAsync(result.FullPath, "bambuddy.db", exported, cts.Token);
        await using var db = TestInstallation.OpenSqlite(exported, SqliteOpenMode.ReadOnly);
        await db.OpenAsync(cts.Token);

        // Every PostgreSQL table, with every row.
        var pgCounts = await PostgresRowCountsAsync(connectionString, cts.Token);
        Assert.Equal(BambuddySchema.TableCount + 1, pgCounts.Count);
        Assert.Equal(pgCounts, result.TableRowCounts.ToDictionary());
        foreach (var (table, rows) in pgCounts)
        {
            Assert.Equal(rows, (long)(await TestInstallation.ScalarAsync(db, $"SELECT count(*) FROM \"{table}\"", cts.Token))!);
        }

        Assert.Equal(120L, pgCounts["print_archives"]);

        // Tables, columns, keys and indexes exactly as a new Bambuddy SQLite installation has them.
        var reference = dir.Combine("reference.db");
        await using (var create = TestInstallation.OpenSqlite(reference))
        {
            await create.OpenAsync(cts.Token);
            await BambuddySchema.ApplyToSqliteAsync(create, cts.Token);
        }

        var expected = await SqliteShapeAsync(reference, cts.Token);
        var actual = await SqliteShapeAsync(exported, cts.Token);
        Assert.Equal(expected, actual.Where(line => !line.StartsWith("farm_notes", StringComparison.Ordinal)).ToList());
        Assert.Equal("ok", await TestInstallation.ScalarAsync(db, "PRAGMA integrity_check", cts.Token));
        Assert.Empty(await TestInstallation.RowsAsync(db, "PRAGMA foreign_key_check", cts.Token));

        // Values in the forms Bambuddy's own SQLite database holds.
        var printer = (await TestInstallation.RowsAsync(db, "SELECT is_active, auto_archive, typeof(is_active), last_runtime_update, created_at, print_hours_offset, camera_rotation FROM printers WHERE id = 1", cts.Token)).Single();
        Assert.Equal([1L, 0L, "integer", "2026-03-04 05:06:07.891011", "2026-03-04 05:06:07.000000", 0.25, 90L], printer);
        var now = (string)(await TestInstallation.ScalarAsync(db, "SELECT created_at FROM printers WHERE id = 2", cts.Token))!;
        Assert.Matches(Timestamp(), now);
        Assert.Equal("2026-05-06 05:08:09.500000+00:00", await TestInstallation.ScalarAsync(db, "SELECT occurred_at FROM auth_rate_limit_events", cts.Token));
        Assert.Equal("{\"plate\": 7}", await TestInstallation.ScalarAsync(db, "SELECT extra_data FROM print_archives WHERE id = 7", cts.Token));
        Assert.Equal(0L, await TestInstallation.ScalarAsync(db, "SELECT is_favorite FROM print_archives WHERE id = 7", cts.Token));
        var icon = (byte[])(await TestInstallation.ScalarAsync(db, "SELECT icon_data FROM oidc_providers", cts.Token))!;
        Assert.Equal(Convert.FromHexString("89504e470d0a1a0a00ff"), icon);

        // Search works: archive_fts was rebuilt over the exported archives, and its triggers are back.
        Assert.Equal(1L, await TestInstallation.ScalarAsync(db, "SELECT rowid FROM archive_fts WHERE archive_fts MATCH 'Benchy'", cts.Token));
        Assert.Equal(120L, await TestInstallation.ScalarAsync(db, "SELECT count(*) FROM archive_fts WHERE archive_fts MATCH 'pla'", cts.Token));
        Assert.Equal(4L, await TestInstallation.ScalarAsync(db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'", cts.Token));
    }

    [Fact]
    public async Task ATableBambuddyDoesNotHaveIsExportedWithKeysAndIndexesFromTheCatalog()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var dir = new TempDirectory();
        var connectionString = await postgres.CreateDatabaseAsync("archive_extra_table", cts.Token);
        await TestInstallation.SeedPostgresAsync(connectionString, cts.Token);
        var target = dir.Combine("export.db");

        var result = await SqliteExporter.ExportPostgresAsync(connectionString, target, null, cts.Token);

        Assert.Equal(2L, result.TableRowCounts["farm_notes"]);
        Assert.Contains(result.Warnings, w => w.Contains("farm_notes", StringComparison.Ordinal));
        await using var db = TestInstallation.OpenSqlite(target, SqliteOpenMode.ReadOnly);
        await db.OpenAsync(cts.Token);
        var columns = await TestInstallation.RowsAsync(db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('farm_notes') ORDER BY cid", cts.Token);
        Assert.Equal(
            [
                ["id", "INTEGER", 1L, 1L], ["code", "VARCHAR(20)", 1L, 0L], ["printer_id", "INTEGER", 0L, 0L], ["amount", "NUMERIC(10,2)", 0L, 0L],
                ["noted_at", "DATETIME", 1L, 0L], ["flags", "JSON", 0L, 0L], ["tags", "TEXT", 0L, 0L], ["active", "BOOLEAN", 1L, 0L],
            ],
            columns);
        var foreignKey = (await TestInstallation.RowsAsync(db, "SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('farm_notes')", cts.Token)).Single();
        Assert.Equal(["printers", "printer_id", "id", "CASCADE"], foreignKey);
        var indexes = await TestInstallation.RowsAsync(db, "SELECT name, \"unique\", origin FROM pragma_index_list('farm_notes') ORDER BY name", cts.Token);
        Assert.Contains(indexes, i => (string)i[0]! == "ix_farm_notes_printer" && (long)i[1]! == 0);
        Assert.Contains(indexes, i => (long)i[1]! == 1 && (string)i[2]! == "u");
        var row = (await TestInstallation.RowsAsync(db, "SELECT amount, typeof(amount), flags, tags, active, noted_at FROM farm_notes WHERE code = 'A1'", cts.Token)).Single();
        Assert.Equal(12.34, row[0]);
        Assert.Equal("real", row[1]);
        Assert.Equal("{\"rush\": true}", row[2]);
        Assert.Equal("{a,b}", row[3]);
        Assert.Equal(1L, row[4]);
        Assert.Matches(TimestampTz(), (string)row[5]!);

        // The default came over: a row inserted without the column gets one.
        await using var write = TestInstallation.OpenSqlite(target);
        await write.OpenAsync(cts.Token);
        await TestInstallation.ExecuteAsync(write, "INSERT INTO farm_notes (code) VALUES ('C3')", cts.Token);
        Assert.Equal(1L, await TestInstallation.ScalarAsync(write, "SELECT active FROM farm_notes WHERE code = 'C3'", cts.Token));
    }

    private static async Task<Dictionary<string, long>> PostgresRowCountsAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var tables = new List<string>();
        await using (var command = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                tables.Add(reader.GetString(0));
            }
        }

        var counts = new Dictionary<string, long>();
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM public.\"{table}\"", connection);
            counts[table] = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        return counts;
    }

    /// <summary>One line per table, column, index and foreign key, as SQLite itself describes them.</summary>
    private static async Task<List<string>> SqliteShapeAsync(string database, CancellationToken cancellationToken)
    {
        await using var connection = TestInstallation.OpenSqlite(database, SqliteOpenMode.ReadOnly);
        await connection.OpenAsync(cancellationToken);
        var rows = await TestInstallation.RowsAsync(connection, """
            SELECT t.name || ' column ' || c.cid || ' ' || c.name || ' ' || c.type || ' notnull=' || c."notnull" || ' default=' || ifnull(c.dflt_value, '') || ' pk=' || c.pk
            FROM sqlite_master t, pragma_table_info(t.name) c WHERE t.type = 'table'
            UNION ALL
            SELECT t.name || ' index ' || i.name || ' unique=' || i."unique" || ' origin=' || i.origin || ' (' ||
                   (SELECT group_concat(ii.name, ',') FROM pragma_index_info(i.name) ii) || ')'
            FROM sqlite_master t, pragma_index_list(t.name) i WHERE t.type = 'table'
            UNION ALL
            SELECT t.name || ' fk ' || f.id || '.' || f.seq || ' ' || f."from" || ' -> ' || f."table" || '.' || ifnull(f."to", '') || ' ' || f.on_delete
            FROM sqlite_master t, pragma_foreign_key_list(t.name) f WHERE t.type = 'table'
            UNION ALL
            SELECT name || ' ' || type || ' ' || ifnull(sql, '') FROM sqlite_master WHERE type IN ('trigger', 'view')
            ORDER BY 1
            """, cancellationToken);
        return rows.Select(r => (string)r[0]!).ToList();
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\+00:00$")]
    private static partial Regex TimestampTz();
}
