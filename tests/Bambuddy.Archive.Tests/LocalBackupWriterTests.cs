using System.Text.RegularExpressions;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Installation;
using Bambuddy.Testing;
using Microsoft.Data.Sqlite;

namespace Bambuddy.Archive.Tests;

public sealed partial class LocalBackupWriterTests
{
    [Fact]
    public async Task SqliteBackupHoldsEveryFileAndTheDatabaseWithItsSchemaAndRows()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();
        var (installation, hashes) = await CreateSqliteInstallationAsync(dir, cts.Token);

        var result = await new LocalBackupWriter().WriteAsync(installation, dir.Combine("out"), dir.Combine("tmp"), TimeZoneInfo.Utc, null, cts.Token);

        Assert.Matches(BackupName(), result.FileName);
        Assert.Equal(dir.Combine("out", result.FileName), result.FullPath);
        Assert.Equal([result.FileName], Directory.EnumerateFileSystemEntries(dir.Combine("out")).Select(Path.GetFileName));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Combine("tmp")));
        Assert.Equal(new FileInfo(result.FullPath).Length, result.Size);

        var entries = await ZipInspection.ReadEntriesAsync(result.FullPath, cts.Token);
        Assert.Equal(result.EntryCount, entries.Count);
        Assert.Equal(["bambuddy.db", .. hashes.Keys.Order(StringComparer.Ordinal), BackupManifest.FileName], entries.Select(e => e.Name));
        foreach (var (name, _, sha256) in entries.Where(e => hashes.ContainsKey(e.Name)))
        {
            Assert.Equal(hashes[name], sha256);
        }

        var manifest = await ZipInspection.ReadManifestAsync(result.FullPath, cts.Token);
        Assert.Equal("sqlite", manifest.SourceBackend);
        Assert.Equal(entries.SkipLast(1).Select(e => (e.Name, e.Length, e.Sha256)), manifest.Entries.Select(e => (e.Path, e.Size, e.Sha256)));
        var (exit, output) = await ZipInspection.UnzipTestAsync(result.FullPath, cts.Token);
        Assert.True(exit == 0, output);

        var snapshot = dir.Combine("restored.db");
        await ZipInspection.ExtractEntryAsync(result.FullPath, "bambuddy.db", snapshot, cts.Token);
        Assert.Equal(await SchemaAsync(installation.ConnectionString, cts.Token), await SchemaAsync(snapshot, cts.Token));
        Assert.Equal(await RowCountsAsync(installation.ConnectionString, cts.Token), await RowCountsAsync(snapshot, cts.Token));
        Assert.Equal(await RowCountsAsync(installation.ConnectionString, cts.Token), result.TableRowCounts.ToDictionary());
        Assert.Equal(25, result.TableRowCounts["print_archives"]);
        await using var connection = TestInstallation.OpenSqlite(snapshot, SqliteOpenMode.ReadOnly);
        await connection.OpenAsync(cts.Token);
        Assert.Equal("ok", await TestInstallation.ScalarAsync(connection, "PRAGMA integrity_check", cts.Token));
        Assert.Equal("delete", await TestInstallation.ScalarAsync(connection, "PRAGMA journal_mode", cts.Token));
        Assert.Equal(1L, await TestInstallation.ScalarAsync(connection, "SELECT count(*) FROM archive_fts WHERE archive_fts MATCH 'Benchy'", cts.Token));
        Assert.Equal(await SchemaFingerprint.ComputeAsync(connection, cts.Token), manifest.BambuddySchemaFingerprint);
    }

    [Fact]
    public async Task ASqliteDatabaseWrittenToDuringTheBackupGivesAConsistentSnapshot()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var dir = new TempDirectory();
        var (installation, _) = await CreateSqliteInstallationAsync(dir, cts.Token);
        await using (var setup = TestInstallation.OpenSqlite(installation.ConnectionString))
        {
            await setup.OpenAsync(cts.Token);
            await TestInstallation.ExecuteAsync(setup, "INSERT INTO settings (\"key\", value) VALUES ('counter', '0')", cts.Token);
        }

        using var stopWriting = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var firstWrite = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = Task.Run(() => WriteContinuouslyAsync(installation.ConnectionString, firstWrite, stopWriting.Token), cts.Token);
        await firstWrite.Task.WaitAsync(cts.Token);

        var results = new List<LocalBackupResult>();
        for (var i = 0; i < 3; i++)
        {
            results.Add(await new LocalBackupWriter().WriteAsync(installation, dir.Combine("out"), dir.Combine("tmp"), TimeZoneInfo.Utc, null, cts.Token));
        }

        await stopWriting.CancelAsync();
        var writes = await writer;

        Assert.True(writes > 0);
        foreach (var result in results)
        {
            var snapshot = dir.Combine(result.FileName + ".db");
            await ZipInspection.ExtractEntryAsync(result.FullPath, "bambuddy.db", snapshot, cts.Token);
            await using var connection = TestInstallation.OpenSqlite(snapshot, SqliteOpenMode.ReadOnly);
            await connection.OpenAsync(cts.Token);
            Assert.Equal("ok", await TestInstallation.ScalarAsync(connection, "PRAGMA integrity_check", cts.Token));

            // Each write transaction adds one archive and bumps the counter: a torn copy would disagree.
            var counter = long.Parse((string)(await TestInstallation.ScalarAsync(connection, "SELECT value FROM settings WHERE \"key\" = 'counter'", cts.Token))!);
            var added = (long)(await TestInstallation.ScalarAsync(connection, "SELECT count(*) FROM print_archives WHERE id > 1000", cts.Token))!;
            Assert.Equal(counter, added);
            Assert.Equal(added + 25, result.TableRowCounts["print_archives"]);
        }
    }

    [Fact]
    public async Task TwoBackupsStartedInTheSameSecondGetDifferentNames()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();
        var (installation, _) = await CreateSqliteInstallationAsync(dir, cts.Token);
        var writer = new LocalBackupWriter();

        var results = await Task.WhenAll(
            writer.WriteAsync(installation, dir.Combine("out"), dir.Combine("tmp"), TimeZoneInfo.Utc, null, cts.Token),
            writer.WriteAsync(installation, dir.Combine("out"), dir.Combine("tmp"), TimeZoneInfo.Utc, null, cts.Token));

        Assert.NotEqual(results[0].FileName, results[1].FileName);
        Assert.Equal(
            results.Select(r => r.FileName).Order(StringComparer.Ordinal),
            Directory.EnumerateFileSystemEntries(dir.Combine("out")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CancellingDuringTheWriteDeletesTheTempFilesAndLeavesNoZip()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();
        var (installation, _) = await CreateSqliteInstallationAsync(dir, cts.Token);
        Directory.CreateDirectory(dir.Combine("data", "archive", "big"));
        var chunk = new byte[1 << 20];
        Random.Shared.NextBytes(chunk);
        await using (var big = File.Create(dir.Combine("data", "archive", "big", "timelapse.mp4")))
        {
            for (var i = 0; i < 16; i++)
            {
                await big.WriteAsync(chunk, cts.Token);
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var progress = new CancelOnWriting(stop);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new LocalBackupWriter().WriteAsync(installation, dir.Combine("out"), dir.Combine("tmp"), TimeZoneInfo.Utc, progress, stop.Token));

        Assert.True(progress.SawWriting);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Combine("out")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Combine("tmp")));
    }

    [Fact]
    public async Task TooLittleFreeSpaceFailsAtOnceNamingThePathAndTheBytes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();
        var (installation, _) = await CreateSqliteInstallationAsync(dir, cts.Token);
        var writer = new LocalBackupWriter(new LocalBackupOptions { ExtraFreeSpaceBytes = long.MaxValue / 4 });

        var error = await Assert.ThrowsAsync<InsufficientSpaceException>(() =>
            writer.WriteAsync(installation, dir.Combine("out"), dir.Combine("tmp"), TimeZoneInfo.Utc, null, cts.Token));

        Assert.Contains(dir.Combine("tmp"), error.Message, StringComparison.Ordinal);
        Assert.True(error.BytesNeeded > long.MaxValue / 4);
        Assert.Contains(error.BytesNeeded.ToString("N0"), error.Message, StringComparison.Ordinal);
        Assert.Contains(error.BytesAvailable.ToString("N0"), error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Combine("out")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Combine("tmp")));
    }

    [Fact]
    public async Task AnOutputFolderInsideADataFolderIsNotBackedUpIntoItself()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();
        var (installation, hashes) = await CreateSqliteInstallationAsync(dir, cts.Token);
        var output = dir.Combine("data", "projects", "backups");
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(output, "bambuddy-backup-20200101-000000.zip"), "older", cts.Token);

        var result = await new LocalBackupWriter().WriteAsync(installation, output, dir.Combine("data", "icons", "tmp"), TimeZoneInfo.Utc, null, cts.Token);

        var names = (await ZipInspection.ReadEntriesAsync(result.FullPath, cts.Token)).Select(e => e.Name).ToList();
        Assert.Equal(["bambuddy.db", .. hashes.Keys.Order(StringComparer.Ordinal), BackupManifest.FileName], names);
        Assert.Contains(result.Warnings, w => w.Contains("projects/backups/bambuddy-backup-20200101-000000.zip", StringComparison.Ordinal));
    }

    internal static async Task<(BambuddyInstallation Installation, Dictionary<string, string> Hashes)> CreateSqliteInstallationAsync(TempDirectory dir, CancellationToken cancellationToken)
    {
        var data = dir.Combine("data");
        var hashes = TestInstallation.CreateDataDirectory(data);
        var database = Path.Combine(data, "bambuddy.db");
        await TestInstallation.CreateSqliteDatabaseAsync(database, 25, cancellationToken);
        return (new BambuddyInstallation(data, DatabaseBackend.Sqlite, database), hashes);
    }

    private static async Task<long> WriteContinuouslyAsync(string database, TaskCompletionSource firstWrite, CancellationToken stop)
    {
        await using var connection = TestInstallation.OpenSqlite(database);
        await connection.OpenAsync(CancellationToken.None);
        await TestInstallation.ExecuteAsync(connection, "PRAGMA busy_timeout = 10000", CancellationToken.None);
        var id = 1000L;
        while (!stop.IsCancellationRequested)
        {
            id++;
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            await TestInstallation.ExecuteAsync(connection, $"""
                INSERT INTO print_archives (id, printer_id, filename, file_path, file_size, status, is_favorite, quantity, print_name, notes)
                VALUES ({id}, 1, 'live{id}.3mf', 'archive/1/live/{id}.3mf', 1, 'printing', 0, 1, 'Live {id}', '{new string('n', 2000)}');
                UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE "key" = 'counter';
                """, CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
            firstWrite.TrySetResult();
        }

        return id - 1000;
    }

    private static async Task<List<string>> SchemaAsync(string database, CancellationToken cancellationToken)
    {
        await using var connection = TestInstallation.OpenSqlite(database, SqliteOpenMode.ReadOnly);
        await connection.OpenAsync(cancellationToken);
        var rows = await TestInstallation.RowsAsync(connection, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name", cancellationToken);
        return rows.Select(r => string.Join('|', r)).ToList();
    }

    private static async Task<Dictionary<string, long>> RowCountsAsync(string database, CancellationToken cancellationToken)
    {
        await using var connection = TestInstallation.OpenSqlite(database, SqliteOpenMode.ReadOnly);
        await connection.OpenAsync(cancellationToken);
        var tables = await TestInstallation.RowsAsync(connection, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'", cancellationToken);
        var counts = new Dictionary<string, long>();
        foreach (var table in tables.Select(t => (string)t[0]!))
        {
            counts[table] = (long)(await TestInstallation.ScalarAsync(connection, $"SELECT count(*) FROM \"{table}\"", cancellationToken))!;
        }

        return counts;
    }

    [GeneratedRegex(@"^bambuddy-backup-\d{8}-\d{6}\.zip$")]
    private static partial Regex BackupName();

    private sealed class CancelOnWriting(CancellationTokenSource stop) : IProgress<ArchiveProgress>
    {
        public bool SawWriting { get; private set; }

        public void Report(ArchiveProgress value)
        {
            if (value.Phase == ArchivePhase.Writing)
            {
                SawWriting = true;
                stop.Cancel();
            }
        }
    }
}
