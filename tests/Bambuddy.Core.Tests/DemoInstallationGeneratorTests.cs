using Bambuddy.Core.Bambuddy;
using Bambuddy.Core.Installation;
using Bambuddy.DemoData;
using Bambuddy.Testing;
using Npgsql;

namespace Bambuddy.Core.Tests;

[Collection(PostgresCollection.Name)]
public sealed class DemoInstallationGeneratorTests(PostgresServer server)
{
    private const long Size = 3L << 20;

    [Fact]
    public async Task SqliteInstallationHasBambuddysFoldersAndFilesWithTheRightMagicBytes()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();

        var result = await new DemoInstallationGenerator(new DemoInstallationOptions(dir.Path) { MediaBytes = Size, Seed = 3 }).GenerateAsync(timeout.Token);

        Assert.False(result.Skipped);
        Assert.Equal(dir.Combine("bambuddy.db"), result.Installation.SqlitePath);
        foreach (var folder in new[] { "archive", "archive/library/files", "archive/library/thumbnails", "virtual_printer/uploads", "projects", "icons", "plate_calibration" })
        {
            Assert.True(Directory.Exists(dir.Combine(folder)), folder);
        }

        Assert.Matches("^[A-Za-z0-9_-]{43}=$", await File.ReadAllTextAsync(dir.Combine(".mfa_encryption_key"), timeout.Token));
        var files = Directory.EnumerateFiles(dir.Combine("archive"), "*", SearchOption.AllDirectories)
            .Concat(new[] { "virtual_printer", "projects", "icons", "plate_calibration" }.SelectMany(f => Directory.EnumerateFiles(dir.Combine(f), "*", SearchOption.AllDirectories)))
            .ToList();
        Assert.Equal(result.Files, files.Count + 1);
        Assert.Contains(files, f => f.EndsWith(".mp4", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(".stl", StringComparison.Ordinal));
        files.ForEach(MediaFiles.AssertMagic);
        Assert.InRange(result.MediaBytes, Size * 7 / 10, Size * 13 / 10);
    }

    [Fact]
    public async Task EveryPathInTheDatabaseIsRelativeAndNamesAFileOnDisk()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();
        var result = await new DemoInstallationGenerator(new DemoInstallationOptions(dir.Path) { MediaBytes = Size, Seed = 4 }).GenerateAsync(timeout.Token);

        await using var database = await BambuddyDatabase.OpenAsync(result.Installation, timeout.Token);
        var checkedPaths = await AssertPathsExistAsync(database, dir.Path, timeout.Token);

        Assert.True(checkedPaths > result.RowsByTable["print_archives"] * 2);
    }

    [Fact]
    public async Task SameSeedGivesTheSameFilesAndRowsAndAnotherSeedDoesNot()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        using var other = new TempDirectory();

        var a = await new DemoInstallationGenerator(new DemoInstallationOptions(first.Path) { MediaBytes = Size, Rows = 2_000, Seed = 11 }).GenerateAsync(timeout.Token);
        var b = await new DemoInstallationGenerator(new DemoInstallationOptions(second.Path) { MediaBytes = Size, Rows = 2_000, Seed = 11 }).GenerateAsync(timeout.Token);
        await new DemoInstallationGenerator(new DemoInstallationOptions(other.Path) { MediaBytes = Size, Rows = 2_000, Seed = 12 }).GenerateAsync(timeout.Token);

        var hashes = MediaFiles.Hashes(first.Path);
        Assert.Equal(hashes, MediaFiles.Hashes(second.Path));
        Assert.NotEqual(hashes.Values, MediaFiles.Hashes(other.Path).Values);
        await using var left = await BambuddyDatabase.OpenAsync(a.Installation, timeout.Token);
        await using var right = await BambuddyDatabase.OpenAsync(b.Installation, timeout.Token);
        foreach (var table in await left.ListTablesAsync(timeout.Token))
        {
            Assert.Equal(await ReadAllAsync(left, table, timeout.Token), await ReadAllAsync(right, table, timeout.Token));
        }
    }

    [Fact]
    public async Task RowsOptionScalesTheDatabaseAndKeepsForeignKeysIntact()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();

        var result = await new DemoInstallationGenerator(new DemoInstallationOptions(dir.Path) { MediaBytes = 1L << 20, Rows = 20_000, Seed = 5 }).GenerateAsync(timeout.Token);

        Assert.InRange(result.Rows, 16_000, 24_000);
        await using var database = await BambuddyDatabase.OpenAsync(result.Installation, timeout.Token);
        Assert.Equal(result.Rows, (await database.CountAllRowsAsync(timeout.Token)).Values.Sum());
        await using var command = database.Connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM pragma_foreign_key_check";
        Assert.Equal(0L, await command.ExecuteScalarAsync(timeout.Token));
        command.CommandText = "SELECT COUNT(*) FROM archive_fts WHERE archive_fts MATCH 'benchy OR planter OR lid'";
        Assert.True((long)(await command.ExecuteScalarAsync(timeout.Token))! > 0);
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync(timeout.Token));
    }

    [Fact]
    public async Task IfEmptyLeavesAnExistingInstallationAloneAndWithoutItGenerationRefuses()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();
        var options = new DemoInstallationOptions(dir.Path) { MediaBytes = 1L << 20, Seed = 6 };
        var first = await new DemoInstallationGenerator(options).GenerateAsync(timeout.Token);
        var hashes = MediaFiles.Hashes(dir.Path);

        var again = await new DemoInstallationGenerator(options with { IfEmpty = true, Seed = 7 }).GenerateAsync(timeout.Token);

        Assert.True(again.Skipped);
        Assert.Equal(hashes, MediaFiles.Hashes(dir.Path));
        await Assert.ThrowsAsync<InvalidOperationException>(() => new DemoInstallationGenerator(options).GenerateAsync(timeout.Token));
        await using var database = await BambuddyDatabase.OpenAsync(first.Installation, timeout.Token);
        Assert.Equal(first.RowsByTable["printers"], await database.CountRowsAsync("printers", timeout.Token));
    }

    [Fact]
    public async Task PostgresInstallationHasTheSameRowsAndFilesAsSqliteForTheSameSeed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var sqliteDir = new TempDirectory();
        using var postgresDir = new TempDirectory();
        var connectionString = await server.CreateDatabaseAsync("demo_same_seed", timeout.Token);

        var sqlite = await new DemoInstallationGenerator(new DemoInstallationOptions(sqliteDir.Path) { MediaBytes = Size, Rows = 3_000, Seed = 21 }).GenerateAsync(timeout.Token);
        var postgres = await new DemoInstallationGenerator(new DemoInstallationOptions(postgresDir.Path)
        {
            DatabaseUrl = server.DatabaseUrl("demo_same_seed"), MediaBytes = Size, Rows = 3_000, Seed = 21,
        }).GenerateAsync(timeout.Token);

        Assert.Equal(DatabaseBackend.PostgreSql, postgres.Installation.Backend);
        Assert.Equal(MediaFiles.Hashes(sqliteDir.Path), MediaFiles.Hashes(postgresDir.Path));
        await using var left = await BambuddyDatabase.OpenAsync(sqlite.Installation, timeout.Token);
        await using var right = await BambuddyDatabase.OpenAsync(postgres.Installation, timeout.Token);
        Assert.Equal(await left.CountAllRowsAsync(timeout.Token), await right.CountAllRowsAsync(timeout.Token));
        Assert.Equal(await left.ReadSettingsAsync(timeout.Token), await right.ReadSettingsAsync(timeout.Token));
        Assert.Equal(await left.ReadPrintersAsync(timeout.Token), await right.ReadPrintersAsync(timeout.Token));
        Assert.Equal(await left.ReadSpoolsAsync(timeout.Token), await right.ReadSpoolsAsync(timeout.Token));
        Assert.Equal(await left.ReadSpoolUsageAsync(timeout.Token), await right.ReadSpoolUsageAsync(timeout.Token));
        Assert.Equal(await left.ReadPrintArchivesAsync(timeout.Token), await right.ReadPrintArchivesAsync(timeout.Token));
        await AssertPathsExistAsync(right, postgresDir.Path, timeout.Token);

        // Serials were moved past the loaded ids, so Bambuddy's own next insert works.
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(timeout.Token);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO settings (key, value, created_at, updated_at) VALUES ('new_key', 'x', now(), now()) RETURNING id", connection);
        Assert.Equal(sqlite.RowsByTable["settings"] + 1, (int)(await insert.ExecuteScalarAsync(timeout.Token))!);
    }

    [Fact]
    public async Task IfEmptyOnPostgresLeavesTheInstallationAlone()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();
        await server.CreateDatabaseAsync("demo_if_empty", timeout.Token);
        var options = new DemoInstallationOptions(dir.Path) { DatabaseUrl = server.ConnectionString("demo_if_empty"), MediaBytes = 1L << 20, IfEmpty = true };

        var first = await new DemoInstallationGenerator(options).GenerateAsync(timeout.Token);
        var second = await new DemoInstallationGenerator(options).GenerateAsync(timeout.Token);

        Assert.False(first.Skipped);
        Assert.True(second.Skipped);
    }

    private static async Task<int> AssertPathsExistAsync(BambuddyDatabase database, string dataDir, CancellationToken cancellationToken)
    {
        var count = 0;
        void Check(object? value)
        {
            if (value is string path)
            {
                Assert.False(Path.IsPathRooted(path), path);
                Assert.DoesNotContain("..", path);
                Assert.True(File.Exists(Path.Combine(dataDir, path)), path);
                count++;
            }
        }

        await foreach (var row in database.ReadRowsAsync("print_archives", ["file_path", "thumbnail_path", "timelapse_path", "file_size", "content_hash"], cancellationToken))
        {
            Check(row["file_path"]);
            Check(row["thumbnail_path"]);
            Check(row["timelapse_path"]);
            var file = Path.Combine(dataDir, (string)row["file_path"]!);
            Assert.Equal(new FileInfo(file).Length, (long)row["file_size"]!);
            Assert.Equal(MediaFiles.Sha256(file), row["content_hash"]);
        }

        await foreach (var row in database.ReadRowsAsync("library_files", ["file_path", "thumbnail_path"], cancellationToken))
        {
            Check(row["file_path"]);
            Check(row["thumbnail_path"]);
        }

        await foreach (var row in database.ReadRowsAsync("pending_uploads", ["file_path"], cancellationToken))
        {
            Check(row["file_path"]);
        }

        return count;
    }

    private static async Task<List<List<KeyValuePair<string, object?>>>> ReadAllAsync(BambuddyDatabase database, string table, CancellationToken cancellationToken)
    {
        var rows = new List<List<KeyValuePair<string, object?>>>();
        await foreach (var row in database.ReadRowsAsync(table, null, cancellationToken))
        {
            rows.Add(row.ToList());
        }

        return rows;
    }
}
