using System.Text.RegularExpressions;
using Bambuddy.Core.Installation;
using Bambuddy.Core.Restore.Database;
using Bambuddy.Testing;
using Microsoft.Data.Sqlite;

namespace Bambuddy.Restore.Tests.Database;

[Collection(RestoreDatabaseCollection.Name)]
public sealed class SqliteRestoreTargetTests(PostgresServer server)
{
    private static CancellationTokenSource Timeout() => new(TimeSpan.FromMinutes(4));

    [Fact]
    public async Task SqliteRestoreIntoALiveWalDatabaseHeldOpenAndWrittenIsSeenByNewAndOldConnections()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var source = await DemoDatabases.SqliteAsync(dir.Combine("source"), 91, ct);
        var target = await DemoDatabases.SqliteAsync(dir.Combine("target"), 92, ct);
        var backup = await DemoDatabases.BackupDbAsync(source, dir, ct);
        var expected = await TableChecksums.FromSqliteAsync(source.SqlitePath!, ct);
        await using var bambuddy = DemoDatabases.Open(target.SqlitePath!);
        await bambuddy.OpenAsync(ct);
        await ExecuteAsync(bambuddy, "INSERT INTO settings (key, value) VALUES ('written_while_held', 'x')", ct);
        var printersBefore = await ScalarAsync(bambuddy, "SELECT count(*) FROM printers", ct);
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();
        var work = dir.Combine("work");

        var report = await BackupDatabaseInspector.InspectAsync(backup, "sqlite", ct);
        var check = await restore.CheckSchemaAsync(backup, ct);
        await restore.PrepareAsync(jobId, backup, work, null, ct);
        await restore.CommitAsync(jobId, work, force: false, ct);
        await restore.DiscardAsync(jobId, work, ct);

        Assert.Equal("sqlite", report.SourceBackend);
        Assert.Empty(check.Lost);
        Assert.Empty(check.Refusals);
        Assert.Equal(expected, await TableChecksums.FromSqliteAsync(target.SqlitePath!, ct));
        Assert.NotEqual(printersBefore, expected["printers"]);
        Assert.Equal(long.Parse(expected["printers"].Split(' ')[0]), await ScalarAsync(bambuddy, "SELECT count(*) FROM printers", ct));
        Assert.Equal(0L, await ScalarAsync(bambuddy, "SELECT count(*) FROM settings WHERE key = 'written_while_held'", ct));
        Assert.Equal("wal", await ScalarAsync(bambuddy, "PRAGMA journal_mode", ct));
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
    }

    [Fact]
    public async Task PostgresBackupWithoutArchiveFtsRestoresIntoSqliteAndSearchFindsTheRestoredArchives()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var source = await DemoDatabases.PostgresAsync(server, "pg_to_sqlite", dir.Combine("source"), 93, ct);
        var target = await DemoDatabases.SqliteAsync(dir.Combine("target"), 94, ct);
        var backup = await DemoDatabases.BackupDbAsync(source, dir, ct);
        // As Bambuddy's own export from PostgreSQL: no archive_fts, no triggers.
        await DemoDatabases.ExecuteAsync(backup,
            "DROP TRIGGER archive_fts_insert; DROP TRIGGER archive_fts_delete; DROP TRIGGER archive_fts_update; DROP TABLE archive_fts", ct);
        var expected = await TableChecksums.FromPostgresAsync(source.ConnectionString, ct);
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();
        var work = dir.Combine("work");

        var report = await BackupDatabaseInspector.InspectAsync(backup, null, ct);
        await restore.PrepareAsync(jobId, backup, work, null, ct);
        await restore.CommitAsync(jobId, work, force: false, ct);

        Assert.Equal("postgresql", report.SourceBackend);
        Assert.Equal(expected, await TableChecksums.FromSqliteAsync(target.SqlitePath!, ct));
        await using var connection = DemoDatabases.Open(target.SqlitePath!);
        await connection.OpenAsync(ct);
        await using var archives = connection.CreateCommand();
        archives.CommandText = "SELECT id, print_name FROM print_archives WHERE print_name IS NOT NULL ORDER BY id DESC LIMIT 20";
        var checkedArchives = 0;
        await using (var reader = await archives.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var word = Regex.Match(reader.GetString(1), "[A-Za-z0-9]{3,}").Value;
                await using var search = connection.CreateCommand();
                search.CommandText = "SELECT rowid FROM archive_fts WHERE archive_fts MATCH $query";
                search.Parameters.AddWithValue("$query", $"\"{word}\"");
                var found = new List<long>();
                await using var hits = await search.ExecuteReaderAsync(ct);
                while (await hits.ReadAsync(ct))
                {
                    found.Add(hits.GetInt64(0));
                }

                Assert.Contains(reader.GetInt64(0), found);
                checkedArchives++;
            }
        }

        Assert.Equal(Math.Min(20L, await CountAsync(connection, "SELECT count(*) FROM print_archives WHERE print_name IS NOT NULL", ct)), checkedArchives);
        Assert.True(checkedArchives > 0);
    }

    [Fact]
    public async Task CommitTwiceIsANoOpRevertBringsTheOldDataBackAndDiscardLeavesNoFiles()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var source = await DemoDatabases.SqliteAsync(dir.Combine("source"), 95, ct);
        var target = await DemoDatabases.SqliteAsync(dir.Combine("target"), 96, ct);
        var backup = await DemoDatabases.BackupDbAsync(source, dir, ct);
        var before = await TableChecksums.FromSqliteAsync(target.SqlitePath!, ct);
        var restored = await TableChecksums.FromSqliteAsync(source.SqlitePath!, ct);
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();
        var work = dir.Combine("work");

        await restore.PrepareAsync(jobId, backup, work, null, ct);
        await restore.CommitAsync(jobId, work, force: false, ct);
        await restore.CommitAsync(jobId, work, force: false, ct);
        var afterCommits = await TableChecksums.FromSqliteAsync(target.SqlitePath!, ct);
        await restore.RevertAsync(jobId, work, ct);
        var afterRevert = await TableChecksums.FromSqliteAsync(target.SqlitePath!, ct);
        await restore.DiscardAsync(jobId, work, ct);

        Assert.NotEqual(before, restored);
        Assert.Equal(restored, afterCommits);
        Assert.Equal(before, afterRevert);
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
    }

    [Fact]
    public async Task AMissingSqliteDatabaseGetsBambuddysSchemaAndTheBackupsRows()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var source = await DemoDatabases.SqliteAsync(dir.Combine("source"), 99, ct);
        var backup = await DemoDatabases.BackupDbAsync(source, dir, ct);
        Directory.CreateDirectory(dir.Combine("target"));
        var target = new BambuddyInstallation(dir.Combine("target"), DatabaseBackend.Sqlite, dir.Combine("target", "bambuddy.db"));
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();
        var work = dir.Combine("work");

        await restore.PrepareAsync(jobId, backup, work, null, ct);
        await restore.CommitAsync(jobId, work, force: false, ct);

        Assert.Equal(await TableChecksums.FromSqliteAsync(source.SqlitePath!, ct), await TableChecksums.FromSqliteAsync(target.SqlitePath!, ct));
    }

    [Fact]
    public async Task DiscardAfterPrepareLeavesNoFileAndTheLiveDataUntouched()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var target = await DemoDatabases.SqliteAsync(dir.Combine("target"), 97, ct);
        var backup = await DemoDatabases.BackupDbAsync(await DemoDatabases.SqliteAsync(dir.Combine("source"), 98, ct), dir, ct);
        var before = await TableChecksums.FromSqliteAsync(target.SqlitePath!, ct);
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();
        var work = dir.Combine("work");

        await restore.PrepareAsync(jobId, backup, work, null, ct);
        var prepared = Directory.EnumerateFiles(work).Count();
        await restore.DiscardAsync(jobId, work, ct);

        Assert.Equal(1, prepared);
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
        Assert.Equal(before, await TableChecksums.FromSqliteAsync(target.SqlitePath!, ct));
    }

    private static async Task<long> CountAsync(SqliteConnection connection, string sql, CancellationToken ct) => (long)(await ScalarAsync(connection, sql, ct))!;

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(ct);
    }
}
