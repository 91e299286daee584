using Bambuddy.Core.Bambuddy;
using Bambuddy.Core.Installation;
using Bambuddy.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bambuddy.Core.Tests;

[Collection(PostgresCollection.Name)]
public sealed class BambuddyDatabaseTests(PostgresServer server)
{
    // Inserted out of id order, with a spool in each datetime form Bambuddy's SQLite holds.
    private const string Rows = """
        INSERT INTO spool (id, material, label_weight, core_weight, weight_used, weight_used_baseline, weight_locked, created_at, updated_at)
        VALUES (3, 'PETG', 1000, 250, 12.5, 0, 1, '2025-03-01 10:00:00', '2025-03-01 10:00:00');
        INSERT INTO spool (id, material, label_weight, core_weight, weight_used, weight_used_baseline, weight_locked, created_at, updated_at)
        VALUES (1, 'PLA', 1000, 250, 0, 0, 0, '2025-01-01 08:30:00.123456', '2025-01-01 08:30:00.123456');
        INSERT INTO spool (id, material, label_weight, core_weight, weight_used, weight_used_baseline, weight_locked, created_at, updated_at)
        VALUES (2, 'ABS', 750, 200, 100, 0, 0, '2025-02-01 09:15:30.500000', '2025-02-01 09:15:30.500000');
        INSERT INTO settings (id, key, value, created_at, updated_at) VALUES (2, 'b', 'two', '2025-01-01 00:00:00', '2025-01-01 00:00:00');
        INSERT INTO settings (id, key, value, created_at, updated_at) VALUES (1, 'a', 'one', '2025-01-01 00:00:00', '2025-01-01 00:00:00');
        """;

    [Fact]
    public async Task SqliteRowsComeOrderedByIdWithDatetimesAsStoredAndBooleansAsBooleans()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var dir = new TempDirectory();
        var path = dir.Combine("bambuddy.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync(timeout.Token);
            await BambuddySchema.ApplyToSqliteAsync(connection, timeout.Token);
            await using var command = connection.CreateCommand();
            command.CommandText = Rows.Replace("0, 1, '2025-03-01", "0, 'true', '2025-03-01", StringComparison.Ordinal);
            await command.ExecuteNonQueryAsync(timeout.Token);
        }

        await using var database = await BambuddyDatabase.OpenAsync(new BambuddyInstallation(dir.Path, DatabaseBackend.Sqlite, path), timeout.Token);
        var spools = await database.ReadSpoolsAsync(timeout.Token);

        Assert.Equal(new object?[] { 1L, 2L, 3L }, spools.Select(s => s["id"]));
        Assert.Equal(BambuddyDatabase.SpoolColumns, spools[0].Select(p => p.Key));
        Assert.Equal(new object?[] { "2025-01-01 08:30:00.123456", "2025-02-01 09:15:30.500000", "2025-03-01 10:00:00" }, spools.Select(s => s["created_at"]));
        Assert.Equal(new object?[] { false, false, true }, spools.Select(s => s["weight_locked"]));
        Assert.Equal(12.5, spools[2]["weight_used"]);
        Assert.Equal(["a", "b"], (await database.ReadSettingsAsync(timeout.Token)).Select(s => s.Key));
    }

    [Fact]
    public async Task PostgresRowsComeOrderedByIdWithDatetimesFormattedAsBambuddyPrintsThem()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await server.CreateDatabaseAsync("read_rows", timeout.Token);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(timeout.Token);
            await BambuddySchema.ApplyToPostgresAsync(connection, timeout.Token);
            await using var command = new NpgsqlCommand(Rows.Replace(", 0, 1, '", ", 0, true, '", StringComparison.Ordinal)
                .Replace(", 0, 0, '", ", 0, false, '", StringComparison.Ordinal), connection);
            await command.ExecuteNonQueryAsync(timeout.Token);
        }

        await using var database = await BambuddyDatabase.OpenAsync(new BambuddyInstallation("/data", DatabaseBackend.PostgreSql, connectionString), timeout.Token);
        var spools = await database.ReadSpoolsAsync(timeout.Token);

        Assert.Equal(new object?[] { 1L, 2L, 3L }, spools.Select(s => s["id"]));
        Assert.Equal(new object?[] { "2025-01-01 08:30:00.123456", "2025-02-01 09:15:30.500000", "2025-03-01 10:00:00" }, spools.Select(s => s["created_at"]));
        Assert.Equal(new object?[] { false, false, true }, spools.Select(s => s["weight_locked"]));
        Assert.Equal(1000L, spools[0]["label_weight"]);
        Assert.Equal(["a", "b"], (await database.ReadSettingsAsync(timeout.Token)).Select(s => s.Key));
        Assert.Equal(3L, await database.CountRowsAsync("spool", timeout.Token));
        await Assert.ThrowsAsync<ArgumentException>(() => database.CountRowsAsync("spool; DROP TABLE spool", timeout.Token));
    }
}
