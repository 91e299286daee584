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

    private static async Task<string> BackupWithSchemaDriftAsync(TempDirectory dir, CancellationToken ct)
    {
        var backup = await DemoDatabases.EmptyBambuddySqliteAsync(dir, ct);
        await DemoDatabases.ExecuteAsync(backup,
            "ALTER TABLE printers DROP COLUMN model; ALTER TABLE printers DROP COLUMN access_code; DROP TABLE ams_labels; " +
            "CREATE TABLE extra_things (id INTEGER PRIMARY KEY); ALTER TABLE settings ADD COLUMN extra TEXT", ct);
        return backup;
    }
}
