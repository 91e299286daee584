using Bambuddy.Core.Restore.Database;
using Bambuddy.Testing;

namespace Bambuddy.Restore.Tests.Database;

public sealed class BackupDatabaseInspectorTests
{
    private static CancellationTokenSource Timeout() => new(TimeSpan.FromMinutes(2));

    [Fact]
    public async Task AFileThatIsNotSqliteIsRefused()
    {
        using var timeout = Timeout();
        using var dir = new TempDirectory();
        var path = dir.Combine("bambuddy.db");
        await File.WriteAllTextAsync(path, "PK\u0003\u0004 this is no database at all, but long enough", timeout.Token);

        var refused = await Assert.ThrowsAsync<DatabaseRefusedException>(() => BackupDatabaseInspector.InspectAsync(path, null, timeout.Token));

        Assert.Equal("validate", refused.Step);
        Assert.Contains("not a SQLite database", refused.Reason);
    }

    [Fact]
    public async Task ACorruptPageIsRefused()
    {
        using var timeout = Timeout();
        using var dir = new TempDirectory();
        var backup = await DemoDatabases.BackupDbAsync(await DemoDatabases.SqliteAsync(dir.Combine("source"), 101, timeout.Token), dir, timeout.Token);
        await BackupDatabaseInspector.InspectAsync(backup, null, timeout.Token);
        await using (var file = new FileStream(backup, FileMode.Open, FileAccess.Write))
        {
            // Page 3 onwards: table b-trees, overwritten with a pattern no page has.
            file.Position = 2 * 4096;
            await file.WriteAsync(Enumerable.Repeat((byte)0xA5, 4 * 4096).ToArray(), timeout.Token);
        }

        var refused = await Assert.ThrowsAsync<DatabaseRefusedException>(() => BackupDatabaseInspector.InspectAsync(backup, null, timeout.Token));

        Assert.Equal("validate", refused.Step);
    }

    [Fact]
    public async Task ASqliteFileThatIsNotBambuddysIsRefusedNamingTheMissingTables()
    {
        using var timeout = Timeout();
        using var dir = new TempDirectory();
        var path = dir.Combine("bambuddy.db");
        await DemoDatabases.ExecuteAsync(path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); CREATE TABLE settings (key TEXT, value TEXT)", timeout.Token);

        var refused = await Assert.ThrowsAsync<DatabaseRefusedException>(() => BackupDatabaseInspector.InspectAsync(path, null, timeout.Token));

        Assert.Equal("validate", refused.Step);
        Assert.Contains("printers, print_archives", refused.Reason);
    }

    [Fact]
    public async Task AnOrphanedForeignKeyIsListedWithItsValueAndParent()
    {
        using var timeout = Timeout();
        using var dir = new TempDirectory();
        var backup = await DemoDatabases.BackupDbAsync(await DemoDatabases.SqliteAsync(dir.Combine("source"), 102, timeout.Token), dir, timeout.Token);
        var clean = await BackupDatabaseInspector.InspectAsync(backup, "sqlite", timeout.Token);
        await DemoDatabases.ExecuteAsync(backup,
            "PRAGMA foreign_keys = OFF; UPDATE spool_usage_history SET spool_id = 999999 WHERE id = (SELECT min(id) FROM spool_usage_history)", timeout.Token);

        var report = await BackupDatabaseInspector.InspectAsync(backup, "sqlite", timeout.Token);

        Assert.Equal(0, clean.OrphanCount);
        Assert.Equal(1, report.OrphanCount);
        Assert.Equal("spool_usage_history.spool_id=999999 → spool missing", Assert.Single(report.Orphans));
        Assert.Equal(clean.Rows, report.Rows);
    }
}
