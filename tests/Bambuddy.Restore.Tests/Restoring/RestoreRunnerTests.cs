using Bambuddy.Core.Installation;
using Bambuddy.Restore.Restoring;
using Bambuddy.Testing;
using Microsoft.Data.Sqlite;

namespace Bambuddy.Restore.Tests.Restoring;

[Collection(nameof(PostgresCollection))]
public sealed class RestoreRunnerTests(PostgresServer postgres)
{
    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public async Task BackupRestoresIntoAnotherInstallationUnderAnotherPathExactly(bool fromPostgres, bool intoPostgres)
    {
        var ct = TestTimeout.Token(TimeSpan.FromMinutes(4));
        using var harness = new RestoreHarness(postgres);
        var source = await harness.CreateInstallationAsync("source", fromPostgres, seed: 1, ct);
        var target = await harness.CreateInstallationAsync("target", intoPostgres, seed: 2, ct);
        var expected = await InstallationDigest.ReadAsync(source, ct);
        var zip = await harness.BackupAsync(source, ct);
        File.WriteAllText(Path.Combine(target.DataDirectory, "backups-marker.txt"), "not ours to touch");

        var outcome = await harness.Runner(target).RunAsync(RestoreHarness.Command(zip), new NullProgress(), ct);

        (await InstallationDigest.ReadAsync(target, ct)).AssertSameAs(expected);
        Assert.Contains("Restart Bambuddy", outcome.Message, StringComparison.Ordinal);
        Assert.Contains(outcome.Warnings, w => w.StartsWith("Safety backup", StringComparison.Ordinal));
        Assert.Equal("not ours to touch", File.ReadAllText(Path.Combine(target.DataDirectory, "backups-marker.txt")));
        AssertNoLeftovers(harness, target);
        if (!intoPostgres)
        {
            await AssertFullTextSearchFindsArchivesAsync(target, ct);
        }
    }

    [Theory]
    [InlineData(Checkpoints.DatabaseLoading, 1, false)]
    [InlineData(Checkpoints.DatabaseLoaded, 1, false)]
    [InlineData(Checkpoints.DatabaseCommitted, 1, true)]
    [InlineData(Checkpoints.FolderSwapped, 1, true)]
    [InlineData(Checkpoints.FolderSwapped, 3, true)]
    [InlineData(Checkpoints.Swapped, 1, true)]
    public async Task CrashEndsWithTheOldOrTheNewInstallationNeverAMix(string checkpoint, int occurrence, bool rollsForward)
    {
        var ct = TestTimeout.Token(TimeSpan.FromMinutes(4));
        using var harness = new RestoreHarness(postgres);
        var source = await harness.CreateInstallationAsync("source", postgres: true, seed: 1, ct);
        var target = await harness.CreateInstallationAsync("target", postgres: true, seed: 2, ct);
        var backup = await InstallationDigest.ReadAsync(source, ct);
        var before = await InstallationDigest.ReadAsync(target, ct);
        var zip = await harness.BackupAsync(source, ct);
        harness.Checkpoints.CrashAt = (checkpoint, occurrence);

        await Assert.ThrowsAsync<SimulatedCrash>(() => harness.Runner(target).RunAsync(RestoreHarness.Command(zip), new NullProgress(), ct));
        Assert.True(File.Exists(RestoreJournal.PathFor(harness.StateDirectory)));
        var replayed = await harness.Runner(target).ReplayJournalAsync(ct);

        Assert.NotNull(replayed);
        Assert.Equal(rollsForward, replayed.RolledForward);
        (await InstallationDigest.ReadAsync(target, ct)).AssertSameAs(rollsForward ? backup : before);
        AssertNoLeftovers(harness, target);
        Assert.Null(await harness.Runner(target).ReplayJournalAsync(ct));
    }

    [Fact]
    public async Task RolledBackRestoreRunsAgainToSuccess()
    {
        var ct = TestTimeout.Token(TimeSpan.FromMinutes(4));
        using var harness = new RestoreHarness(postgres);
        var source = await harness.CreateInstallationAsync("source", postgres: false, seed: 1, ct);
        var target = await harness.CreateInstallationAsync("target", postgres: false, seed: 2, ct);
        var backup = await InstallationDigest.ReadAsync(source, ct);
        var zip = await harness.BackupAsync(source, ct);
        var command = RestoreHarness.Command(zip);
        harness.Checkpoints.CrashAt = (Checkpoints.DatabaseLoaded, 1);

        await Assert.ThrowsAsync<SimulatedCrash>(() => harness.Runner(target).RunAsync(command, new NullProgress(), ct));
        await harness.Runner(target).ReplayJournalAsync(ct);
        await harness.Runner(target).RunAsync(command, new NullProgress(), ct);

        (await InstallationDigest.ReadAsync(target, ct)).AssertSameAs(backup);
        AssertNoLeftovers(harness, target);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FailureDuringTheSwapUndoesEverything(bool intoPostgres)
    {
        var ct = TestTimeout.Token(TimeSpan.FromMinutes(4));
        using var harness = new RestoreHarness(postgres);
        var source = await harness.CreateInstallationAsync("source", postgres: false, seed: 1, ct);
        var target = await harness.CreateInstallationAsync("target", intoPostgres, seed: 2, ct);
        var before = await InstallationDigest.ReadAsync(target, ct);
        var zip = await harness.BackupAsync(source, ct);
        harness.Checkpoints.FailAt = (Checkpoints.FolderSwapped, 3);

        var failure = await Assert.ThrowsAsync<RestoreFailure>(() => harness.Runner(target).RunAsync(RestoreHarness.Command(zip), new NullProgress(), ct));

        Assert.Equal(RestoreSteps.Files, failure.Step);
        Assert.False(failure.Refused);
        Assert.Contains("as it was before", failure.Message, StringComparison.Ordinal);
        (await InstallationDigest.ReadAsync(target, ct)).AssertSameAs(before);
        AssertNoLeftovers(harness, target);
    }

    [Fact]
    public async Task MountPointFoldersSwapTheirContentsAndSurviveACrash()
    {
        var ct = TestTimeout.Token(TimeSpan.FromMinutes(4));
        using var harness = new RestoreHarness(postgres);
        var source = await harness.CreateInstallationAsync("source", postgres: false, seed: 1, ct);
        var target = await harness.CreateInstallationAsync("target", postgres: false, seed: 2, ct);
        var backup = await InstallationDigest.ReadAsync(source, ct);
        var zip = await harness.BackupAsync(source, ct);
        harness.IsMountPoint = path => Path.GetFileName(path) is "archive" or "projects";
        harness.Checkpoints.CrashAt = (Checkpoints.FolderSwapped, 1);
        var archiveFolder = new DirectoryInfo(Path.Combine(target.DataDirectory, "archive"));
        var created = archiveFolder.CreationTimeUtc;

        await Assert.ThrowsAsync<SimulatedCrash>(() => harness.Runner(target).RunAsync(RestoreHarness.Command(zip), new NullProgress(), ct));
        await harness.Runner(target).ReplayJournalAsync(ct);

        (await InstallationDigest.ReadAsync(target, ct)).AssertSameAs(backup);
        Assert.Empty(Directory.EnumerateDirectories(archiveFolder.FullName, ".bambuddy-restore-*"));
        AssertNoLeftovers(harness, target);
    }

    [Fact]
    public async Task FolderMissingFromTheBackupEndsEmptyAndTheMfaKeyIsReplaced()
    {
        var ct = TestTimeout.Token(TimeSpan.FromMinutes(4));
        using var harness = new RestoreHarness(postgres);
        var source = await harness.CreateInstallationAsync("source", postgres: false, seed: 1, ct);
        var target = await harness.CreateInstallationAsync("target", postgres: false, seed: 2, ct);
        Directory.Delete(Path.Combine(source.DataDirectory, "icons"), recursive: true);
        var zip = await harness.BackupAsync(source, ct);
        var sourceKey = File.ReadAllText(Path.Combine(source.DataDirectory, ".mfa_encryption_key"));

        await harness.Runner(target).RunAsync(RestoreHarness.Command(zip), new NullProgress(), ct);

        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(target.DataDirectory, "icons")));
        Assert.Equal(sourceKey, File.ReadAllText(Path.Combine(target.DataDirectory, ".mfa_encryption_key")));
    }

    [Fact]
    public async Task NotEnoughFreeSpaceIsRefusedBeforeAnythingIsWritten()
    {
        var ct = TestTimeout.Token(TimeSpan.FromMinutes(3));
        using var harness = new RestoreHarness(postgres);
        var source = await harness.CreateInstallationAsync("source", postgres: false, seed: 1, ct);
        var target = await harness.CreateInstallationAsync("target", postgres: false, seed: 2, ct);
        var before = await InstallationDigest.ReadAsync(target, ct);
        var zip = await harness.BackupAsync(source, ct);
        harness.Options.FreeSpaceMarginBytes = new DriveInfo(target.DataDirectory).TotalSize;

        var failure = await Assert.ThrowsAsync<RestoreFailure>(() => harness.Runner(target).RunAsync(RestoreHarness.Command(zip), new NullProgress(), ct));

        Assert.Equal(RestoreSteps.Validate, failure.Step);
        Assert.True(failure.Refused);
        Assert.Contains("free space", failure.Message, StringComparison.Ordinal);
        (await InstallationDigest.ReadAsync(target, ct)).AssertSameAs(before);
        AssertNoLeftovers(harness, target);
    }

    [Fact]
    public async Task OrphanedRowsRefuseUnlessAllowed()
    {
        var ct = TestTimeout.Token(TimeSpan.FromMinutes(3));
        using var harness = new RestoreHarness(postgres);
        var source = await harness.CreateInstallationAsync("source", postgres: false, seed: 1, ct);
        var target = await harness.CreateInstallationAsync("target", postgres: true, seed: 2, ct);
        await using (var connection = new SqliteConnection($"Data Source={source.SqlitePath};Pooling=False"))
        {
            await connection.OpenAsync(ct);
            await using var orphan = connection.CreateCommand();
            orphan.CommandText = "PRAGMA foreign_keys = OFF; UPDATE print_archives SET printer_id = 999999 WHERE id = (SELECT min(id) FROM print_archives);";
            await orphan.ExecuteNonQueryAsync(ct);
        }

        var before = await InstallationDigest.ReadAsync(target, ct);
        var zip = await harness.BackupAsync(source, ct);

        var refused = await Assert.ThrowsAsync<RestoreFailure>(() => harness.Runner(target).RunAsync(RestoreHarness.Command(zip), new NullProgress(), ct));
        Assert.Equal(RestoreSteps.Orphans, refused.Step);
        Assert.Contains("print_archives", refused.Message, StringComparison.Ordinal);
        (await InstallationDigest.ReadAsync(target, ct)).AssertSameAs(before);

        var outcome = await harness.Runner(target).RunAsync(RestoreHarness.Command(zip, allowOrphans: true), new NullProgress(), ct);
        Assert.Contains(outcome.Warnings, w => w.Contains("orphaned", StringComparison.Ordinal));

        // Every foreign key is there; the one the orphan breaks is NOT VALID, so it still checks every new row.
        await using var restored = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(target.ConnectionString) { Pooling = false }.ConnectionString);
        await restored.OpenAsync(ct);
        await using var keys = new Npgsql.NpgsqlCommand(
            """
            SELECT count(*), string_agg(conrelid::regclass || '->' || confrelid::regclass, ',') FILTER (WHERE NOT convalidated)
            FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace
            """, restored);
        await using var reader = await keys.ExecuteReaderAsync(ct);
        Assert.True(await reader.ReadAsync(ct));
        Assert.Equal(Bambuddy.Core.Bambuddy.BambuddySchema.PostgresForeignKeys.Count, reader.GetInt64(0));
        Assert.Equal("print_archives->printers", reader.GetString(1));
    }

    private static void AssertNoLeftovers(RestoreHarness harness, BambuddyInstallation target)
    {
        Assert.False(File.Exists(RestoreJournal.PathFor(harness.StateDirectory)), "the journal is left");
        Assert.Empty(Directory.EnumerateDirectories(target.DataDirectory, ".bambuddy-restore-*"));
    }

    private static async Task AssertFullTextSearchFindsArchivesAsync(BambuddyInstallation target, CancellationToken ct)
    {
        await using var connection = new SqliteConnection($"Data Source={target.SqlitePath};Pooling=False");
        await connection.OpenAsync(ct);
        await using var name = connection.CreateCommand();
        name.CommandText = "SELECT print_name FROM print_archives WHERE print_name IS NOT NULL ORDER BY id LIMIT 1";
        var word = ((string)(await name.ExecuteScalarAsync(ct))!).Split(' ', '_', '-', '.')[0];
        await using var search = connection.CreateCommand();
        search.CommandText = "SELECT count(*) FROM archive_fts WHERE archive_fts MATCH $word";
        search.Parameters.AddWithValue("$word", '"' + word + '"');
        Assert.True((long)(await search.ExecuteScalarAsync(ct))! > 0, $"full-text search finds no archive for '{word}'");
    }
}

[CollectionDefinition(nameof(PostgresCollection))]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>;

internal static class TestTimeout
{
    public static CancellationToken Token(TimeSpan timeout) => new CancellationTokenSource(timeout).Token;
}
