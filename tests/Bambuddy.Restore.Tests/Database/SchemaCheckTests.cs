using Bambuddy.Core.Installation;
using Bambuddy.Core.Restore.Database;
using Bambuddy.Testing;

namespace Bambuddy.Restore.Tests.Database;

[Collection(RestoreDatabaseCollection.Name)]
public sealed class SchemaCheckTests(PostgresServer server)
{
    private static CancellationTokenSource Timeout() => new(TimeSpan.FromMinutes(2));

    [Fact]
    public async Task AgainstEmptyPostgresAndSqliteTargetsMissingColumnsAreDefaultedOrRefusedAndExtrasLost()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var backup = await BackupWithSchemaDriftAsync(dir, ct);
        var postgres = await DemoDatabases.EmptyPostgresAsync(server, "schema_check", dir, ct);
        var sqlite = new BambuddyInstallation(dir.Path, DatabaseBackend.Sqlite, dir.Combine("missing.db"));

        foreach (var check in new[] { await RestoreTargets.For(postgres).CheckSchemaAsync(backup, ct), await RestoreTargets.For(sqlite).CheckSchemaAsync(backup, ct) })
        {
            Assert.Equal(["extra_things", "settings.extra"], check.Lost);
            Assert.Equal(["printers.access_code"], check.Refusals);
            Assert.Contains("printers.model", check.Defaulted);
            Assert.Contains("ams_labels", check.Defaulted);
        }
    }

    [Fact]
    public async Task AgainstAPostgresTargetWithDataItsCurrentSchemaCounts()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        var backup = await BackupWithSchemaDriftAsync(dir, ct);
        var target = await DemoDatabases.PostgresAsync(server, "schema_check_current", dir.Combine("target"), 111, ct);
        await DemoDatabases.ScalarAsync(target.ConnectionString,
            "ALTER TABLE settings ADD COLUMN extra text; ALTER TABLE printers ADD COLUMN required_now integer NOT NULL DEFAULT 0; " +
            "ALTER TABLE printers ALTER COLUMN required_now DROP DEFAULT", ct);

        var check = await RestoreTargets.For(target).CheckSchemaAsync(backup, ct);

        Assert.Equal(["extra_things"], check.Lost);
        Assert.Equal(["printers.access_code", "printers.required_now"], check.Refusals);
    }

    [Fact]
    public async Task AnEmptyPostgresTargetIsCheckedAsOneWithBambuddysSchemaWouldBeColumnForColumn()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        using var dir = new TempDirectory();
        // Every table of Bambuddy's, each with one column of its own only: every target column is then defaulted
        // or refused, so the two checks agree only if every column's NOT NULL and default agree.
        var backup = await DemoDatabases.EmptyBambuddySqliteAsync(dir, ct);
        var tables = new List<string>();
        await using (var connection = DemoDatabases.Open(backup))
        {
            await connection.OpenAsync(ct);
            await using var list = connection.CreateCommand();
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'archive_fts%'";
            await using var reader = await list.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                tables.Add(reader.GetString(0));
            }
        }

        var skeleton = dir.Combine("skeleton.db");
        await DemoDatabases.ExecuteAsync(skeleton, string.Concat(tables.Select(t => $"CREATE TABLE \"{t}\" (only_here INTEGER);")), ct);
        var empty = await DemoDatabases.EmptyPostgresAsync(server, "schema_check_empty", dir, ct);
        var applied = await DemoDatabases.EmptyPostgresAsync(server, "schema_check_applied", dir, ct);
        await using (var connection = new Npgsql.NpgsqlConnection(applied.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await Bambuddy.Core.Bambuddy.BambuddySchema.ApplyToPostgresAsync(connection, ct);
        }

        var fromEmpty = await RestoreTargets.For(empty).CheckSchemaAsync(skeleton, ct);
        var fromCatalog = await RestoreTargets.For(applied).CheckSchemaAsync(skeleton, ct);

        Assert.Equal(Bambuddy.Core.Bambuddy.BambuddySchema.TableCount, tables.Count);
        Assert.Contains("printers.name", fromCatalog.Refusals);
        Assert.Contains("printers.id", fromCatalog.Defaulted);
        Assert.Equal(fromCatalog.Refusals, fromEmpty.Refusals);
        Assert.Equal(fromCatalog.Defaulted, fromEmpty.Defaulted);
        Assert.Equal(fromCatalog.Lost, fromEmpty.Lost);
    }

    private static async Task<string> BackupWithSchemaDriftAsync(TempDirectory dir, CancellationToken ct)
    {
        var backup = await DemoDatabases.EmptyBambuddySqliteAsync(dir, ct);
        await DemoDatabases.ExecuteAsync(backup,
            "ALTER TABLE printers DROP COLUMN model; ALTER TABLE printers DROP COLUMN access_code; DROP TABLE ams_labels; " +
            "CREATE TABLE extra_things (id INTEGER PRIMARY KEY); ALTER TABLE settings ADD COLUMN extra TEXT", ct);
        return backup;
    }
}
