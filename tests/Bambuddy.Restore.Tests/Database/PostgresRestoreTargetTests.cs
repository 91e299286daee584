using Bambuddy.Core.Bambuddy;
using Bambuddy.Core.Installation;
using Bambuddy.Core.Restore.Database;
using Bambuddy.Testing;
using Npgsql;

namespace Bambuddy.Restore.Tests.Database;

[Collection(RestoreDatabaseCollection.Name)]
public sealed class PostgresRestoreTargetTests(PostgresServer server)
{
    private static CancellationTokenSource Timeout() => new(TimeSpan.FromMinutes(4));

    [Fact]
    public async Task PostgresBackupRestoresIntoAnotherPostgresDatabaseWithIdenticalRowsAndKeys()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var source = await DemoDatabases.PostgresAsync(server, "pg_rt_source", dir.Combine("demo1"), 31, ct);
        var target = await DemoDatabases.PostgresAsync(server, "pg_rt_target", dir.Combine("demo2"), 32, ct);
        var backup = await DemoDatabases.BackupDbAsync(source, dir, ct);
        var expected = await TableChecksums.FromPostgresAsync(source.ConnectionString, ct);
        var foreignKeysBefore = await ForeignKeyCountAsync(target.ConnectionString, ct);
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();
        var progress = new List<DatabaseRestoreProgress>();

        var report = await BackupDatabaseInspector.InspectAsync(backup, "postgresql", ct);
        var check = await restore.CheckSchemaAsync(backup, ct);
        await restore.PrepareAsync(jobId, backup, dir.Path, new SynchronousProgress<DatabaseRestoreProgress>(progress.Add), ct);
        await restore.CommitAsync(jobId, dir.Path, force: false, ct);
        await restore.DiscardAsync(jobId, dir.Path, ct);

        Assert.Equal("postgresql", report.SourceBackend);
        Assert.Equal(0, report.OrphanCount);
        Assert.Empty(check.Lost);
        Assert.Empty(check.Refusals);
        Assert.Equal(expected, await TableChecksums.FromPostgresAsync(target.ConnectionString, ct));
        Assert.Equal(report.Rows, progress[^1].RowsDone);
        Assert.Equal(progress[^1].RowsTotal, progress[^1].RowsDone);
        Assert.Equal(foreignKeysBefore, await ForeignKeyCountAsync(target.ConnectionString, ct));
        Assert.Equal(BambuddySchema.PostgresForeignKeys.Count, foreignKeysBefore);
        Assert.Equal(0L, await DemoDatabases.ScalarAsync(target.ConnectionString, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'restore%'", ct));
    }

    [Fact]
    public async Task SqliteBackupRestoresIntoAnEmptyPostgresDatabaseAndSequencesContinuePastTheLargestId()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var source = await DemoDatabases.SqliteAsync(dir.Combine("source"), 41, ct);
        var target = await DemoDatabases.EmptyPostgresAsync(server, "sqlite_to_pg", dir, ct);
        var backup = await DemoDatabases.BackupDbAsync(source, dir, ct);
        await DemoDatabases.ExecuteAsync(backup, "DELETE FROM ams_labels", ct);
        var expected = await TableChecksums.FromSqliteAsync(source.SqlitePath!, ct);
        expected["ams_labels"] = (await TableChecksums.FromSqliteAsync(backup, ct))["ams_labels"];
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();

        var report = await BackupDatabaseInspector.InspectAsync(backup, null, ct);
        var check = await restore.CheckSchemaAsync(backup, ct);
        await restore.PrepareAsync(jobId, backup, dir.Path, null, ct);
        await restore.CommitAsync(jobId, dir.Path, force: false, ct);
        await restore.DiscardAsync(jobId, dir.Path, ct);

        Assert.Equal("sqlite", report.SourceBackend);
        Assert.Empty(check.Lost);
        Assert.Empty(check.Refusals);
        Assert.Equal(expected, await TableChecksums.FromPostgresAsync(target.ConnectionString, ct));
        Assert.Equal(BambuddySchema.PostgresForeignKeys.Count, await ForeignKeyCountAsync(target.ConnectionString, ct));
        var maxId = (int)(await DemoDatabases.ScalarAsync(target.ConnectionString, "SELECT max(id) FROM settings", ct))!;
        Assert.Equal(maxId + 1, await DemoDatabases.ScalarAsync(target.ConnectionString,
            "INSERT INTO settings (key, value, created_at, updated_at) VALUES ('after_restore', 'x', now(), now()) RETURNING id", ct));
        Assert.Equal(1, await DemoDatabases.ScalarAsync(target.ConnectionString,
            "INSERT INTO ams_labels (ams_serial_number, label) VALUES ('S1', 'first') RETURNING id", ct));
    }

    [Fact]
    public async Task EveryDatetimeFormBambuddyWritesLoadsIntoTimestampAndTimestamptz()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var target = await DemoDatabases.EmptyPostgresAsync(server, "datetime_forms", dir, ct);
        var backup = await DemoDatabases.EmptyBambuddySqliteAsync(dir, ct);
        string[] forms =
        [
            "2024-03-01 10:20:30", "2024-03-01 10:20:30.5", "2024-03-01 10:20:30.123", "2024-03-01 10:20:30.123456",
            "2024-03-01 10:20:30.123456+00:00", "2024-03-01 12:20:30.123456+02:00", "2024-03-01 05:20:30-05:00",
            "2024-03-01T10:20:30", "2024-03-01T10:20:30.123456", "2024-03-01T10:20:30+00:00", "2024-03-01T10:20:30.5Z",
        ];
        string[] expected =
        [
            "2024-03-01 10:20:30.000000", "2024-03-01 10:20:30.500000", "2024-03-01 10:20:30.123000", "2024-03-01 10:20:30.123456",
            "2024-03-01 10:20:30.123456", "2024-03-01 10:20:30.123456", "2024-03-01 10:20:30.000000",
            "2024-03-01 10:20:30.000000", "2024-03-01 10:20:30.123456", "2024-03-01 10:20:30.000000", "2024-03-01 10:20:30.500000",
        ];
        var inserts = forms.Select((form, i) =>
            $"INSERT INTO settings (id, key, value, created_at, updated_at) VALUES ({i + 1}, 'k{i}', 'v', '{form}', '{form}');" +
            $"INSERT INTO auth_rate_limit_events (id, username, event_type, occurred_at) VALUES ({i + 1}, 'u', 'login', '{form}');");
        await DemoDatabases.ExecuteAsync(backup, string.Concat(inserts), ct);
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();

        await restore.PrepareAsync(jobId, backup, dir.Path, null, ct);
        await restore.CommitAsync(jobId, dir.Path, force: false, ct);

        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(target.ConnectionString) { Pooling = false, Timezone = "Asia/Tokyo" }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            """
            SELECT to_char(s.created_at, 'YYYY-MM-DD HH24:MI:SS.US'), to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')
            FROM settings s JOIN auth_rate_limit_events e ON e.id = s.id ORDER BY s.id
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var i = 0;
        while (await reader.ReadAsync(ct))
        {
            Assert.Equal((expected[i], expected[i]), (reader.GetString(0), reader.GetString(1)));
            i++;
        }

        Assert.Equal(forms.Length, i);
    }

    [Fact]
    public async Task AValueThatCannotConvertRefusesNamingTableColumnAndRowButNotTheValue()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var target = await DemoDatabases.EmptyPostgresAsync(server, "bad_value", dir, ct);
        var backup = await DemoDatabases.EmptyBambuddySqliteAsync(dir, ct);
        await DemoDatabases.ExecuteAsync(backup,
            "INSERT INTO settings (id, key, value, created_at, updated_at) VALUES (7, 'k', 'v', 'secret-not-a-date', '2024-01-01 00:00:00')", ct);
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();

        var refused = await Assert.ThrowsAsync<DatabaseRefusedException>(() => restore.PrepareAsync(jobId, backup, dir.Path, null, ct));

        Assert.Equal("database", refused.Step);
        Assert.Contains("settings.created_at", refused.Reason);
        Assert.Contains("id 7", refused.Reason);
        Assert.DoesNotContain("secret", refused.Reason);
        Assert.Equal(0L, await DemoDatabases.ScalarAsync(target.ConnectionString, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'restore%'", ct));
    }

    [Fact]
    public async Task AValueTheServerRejectsRefusesNamingTableAndColumnButNotTheValue()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var target = await DemoDatabases.EmptyPostgresAsync(server, "too_long", dir, ct);
        var backup = await DemoDatabases.BackupDbAsync(await DemoDatabases.SqliteAsync(dir.Combine("source"), 42, ct), dir, ct);
        // SQLite does not enforce VARCHAR(20); PostgreSQL does.
        await DemoDatabases.ExecuteAsync(backup, "UPDATE printers SET access_code = 'secretsecretsecretsecret99' WHERE id = (SELECT max(id) FROM printers)", ct);
        var restore = RestoreTargets.For(target);

        var refused = await Assert.ThrowsAsync<DatabaseRefusedException>(() => restore.PrepareAsync(Guid.NewGuid(), backup, dir.Path, null, ct));

        Assert.Equal("database", refused.Step);
        Assert.True(refused.Reason.Contains("printers.access_code"), refused.Reason);
        Assert.DoesNotContain("secret", refused.Reason);
        Assert.Equal(0L, await DemoDatabases.ScalarAsync(target.ConnectionString, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'restore%'", ct));
    }

    [Fact]
    public async Task OwnerAndGrantsOfTheOldTablesAndSchemaAreKept()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var target = await DemoDatabases.PostgresAsync(server, "owner_grants", dir.Combine("demo3"), 51, ct);
        var backup = await DemoDatabases.BackupDbAsync(await DemoDatabases.SqliteAsync(dir.Combine("demo4"), 52, ct), dir, ct);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (owner, reader) = ($"bb_owner_{suffix}", $"bb_reader_{suffix}");
        await DemoDatabases.ScalarAsync(target.ConnectionString,
            $"CREATE ROLE {owner}; CREATE ROLE {reader}; ALTER TABLE printers OWNER TO {owner}; GRANT SELECT, UPDATE ON printers TO {reader}; " +
            $"GRANT USAGE ON SEQUENCE printers_id_seq TO {reader}; GRANT CREATE ON SCHEMA public TO {reader}; COMMENT ON SCHEMA public IS 'bambuddy data'", ct);
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();

        await restore.PrepareAsync(jobId, backup, dir.Path, null, ct);
        await restore.CommitAsync(jobId, dir.Path, force: false, ct);

        Assert.Equal(owner, await DemoDatabases.ScalarAsync(target.ConnectionString, "SELECT pg_get_userbyid(relowner)::text FROM pg_class WHERE oid = 'public.printers'::regclass", ct));
        Assert.Equal(true, await DemoDatabases.ScalarAsync(target.ConnectionString, $"SELECT has_table_privilege('{reader}', 'public.printers', 'UPDATE')", ct));
        Assert.Equal(false, await DemoDatabases.ScalarAsync(target.ConnectionString, $"SELECT has_table_privilege('{reader}', 'public.settings', 'SELECT')", ct));
        Assert.Equal(true, await DemoDatabases.ScalarAsync(target.ConnectionString, $"SELECT has_sequence_privilege('{reader}', 'public.printers_id_seq', 'USAGE')", ct));
        Assert.Equal("public", await DemoDatabases.ScalarAsync(target.ConnectionString, "SELECT pg_get_serial_sequence('printers', 'id')::text", ct) is string s ? s.Split('.')[0] : null);
        Assert.Equal(true, await DemoDatabases.ScalarAsync(target.ConnectionString, $"SELECT has_schema_privilege('{reader}', 'public', 'CREATE')", ct));
        Assert.Equal("bambuddy data", await DemoDatabases.ScalarAsync(target.ConnectionString, "SELECT obj_description('public'::regnamespace, 'pg_namespace')", ct));
        Assert.Equal(
            await DemoDatabases.ScalarAsync(target.ConnectionString, $"SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = '{PostgresRestoreTarget.OldSchemaName(jobId)}'", ct),
            await DemoDatabases.ScalarAsync(target.ConnectionString, "SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = 'public'", ct));
    }

    [Fact]
    public async Task OtherSessionsRefuseTheCommitWithoutForceAndAreTerminatedWithIt()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var target = await DemoDatabases.PostgresAsync(server, "other_sessions", dir.Combine("demo5"), 61, ct);
        var backup = await DemoDatabases.BackupDbAsync(await DemoDatabases.SqliteAsync(dir.Combine("demo6"), 62, ct), dir, ct);
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();
        await restore.PrepareAsync(jobId, backup, dir.Path, null, ct);
        await using var bambuddy = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(target.ConnectionString) { Pooling = false, ApplicationName = "bambuddy" }.ConnectionString);
        await bambuddy.OpenAsync(ct);

        var sessions = await restore.OtherSessionsAsync(ct);
        var refused = await Assert.ThrowsAsync<DatabaseRefusedException>(() => restore.CommitAsync(jobId, dir.Path, force: false, ct));
        var oldAfterRefusal = await DemoDatabases.ScalarAsync(target.ConnectionString, $"SELECT count(*) FROM pg_namespace WHERE nspname = '{PostgresRestoreTarget.OldSchemaName(jobId)}'", ct);
        await restore.CommitAsync(jobId, dir.Path, force: true, ct);

        Assert.Contains(sessions, s => s.Contains("application bambuddy", StringComparison.Ordinal));
        Assert.Equal("database", refused.Step);
        Assert.Equal(0L, oldAfterRefusal);
        await using var select = new NpgsqlCommand("SELECT 1", bambuddy);
        await Assert.ThrowsAnyAsync<Exception>(() => select.ExecuteScalarAsync(ct));
        Assert.Equal(1L, await DemoDatabases.ScalarAsync(target.ConnectionString, $"SELECT count(*) FROM pg_namespace WHERE nspname = '{PostgresRestoreTarget.OldSchemaName(jobId)}'", ct));
    }

    [Fact]
    public async Task CommitTwiceIsANoOpAndRevertBringsTheOldDataBack()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var target = await DemoDatabases.PostgresAsync(server, "revert_pg", dir.Combine("demo7"), 71, ct);
        var source = await DemoDatabases.SqliteAsync(dir.Combine("demo8"), 72, ct);
        var backup = await DemoDatabases.BackupDbAsync(source, dir, ct);
        var before = await TableChecksums.FromPostgresAsync(target.ConnectionString, ct);
        var restored = await TableChecksums.FromSqliteAsync(source.SqlitePath!, ct);
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();

        await restore.PrepareAsync(jobId, backup, dir.Path, null, ct);
        await restore.CommitAsync(jobId, dir.Path, force: false, ct);
        await restore.CommitAsync(jobId, dir.Path, force: false, ct);
        var afterCommits = await TableChecksums.FromPostgresAsync(target.ConnectionString, ct);
        await restore.RevertAsync(jobId, dir.Path, ct);
        await restore.DiscardAsync(jobId, dir.Path, ct);

        Assert.NotEqual(before, restored);
        Assert.Equal(restored, afterCommits);
        Assert.Equal(before, await TableChecksums.FromPostgresAsync(target.ConnectionString, ct));
        Assert.Equal(0L, await DemoDatabases.ScalarAsync(target.ConnectionString, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'restore%'", ct));
    }

    [Fact]
    public async Task DiscardAfterPrepareLeavesNoSchemaAndTheOldDataUntouched()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var target = await DemoDatabases.PostgresAsync(server, "discard_pg", dir.Combine("demo9"), 81, ct);
        var backup = await DemoDatabases.BackupDbAsync(await DemoDatabases.SqliteAsync(dir.Combine("demo10"), 82, ct), dir, ct);
        var before = await TableChecksums.FromPostgresAsync(target.ConnectionString, ct);
        var restore = RestoreTargets.For(target);
        var jobId = Guid.NewGuid();

        await restore.PrepareAsync(jobId, backup, dir.Path, null, ct);
        var prepared = await DemoDatabases.ScalarAsync(target.ConnectionString, $"SELECT count(*) FROM pg_namespace WHERE nspname = '{PostgresRestoreTarget.NewSchemaName(jobId)}'", ct);
        await restore.DiscardAsync(jobId, dir.Path, ct);

        Assert.Equal(1L, prepared);
        Assert.Equal(0L, await DemoDatabases.ScalarAsync(target.ConnectionString, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'restore%'", ct));
        Assert.Equal(before, await TableChecksums.FromPostgresAsync(target.ConnectionString, ct));
    }

    private static async Task<long> ForeignKeyCountAsync(string connectionString, CancellationToken ct) =>
        (long)(await DemoDatabases.ScalarAsync(connectionString, "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace", ct))!;
}
