using Bambuddy.Core.Bambuddy;
using Bambuddy.Core.Installation;
using Bambuddy.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bambuddy.Core.Tests;

[Collection(PostgresCollection.Name)]
public sealed class BambuddySchemaTests(PostgresServer server)
{
    [Fact]
    public async Task SchemaOnAnEmptySqliteFileHasBambuddys64TablesAndItsSearchIndex()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var dir = new TempDirectory();
        var path = dir.Combine("bambuddy.db");

        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync(timeout.Token);
            await BambuddySchema.ApplyToSqliteAsync(connection, timeout.Token);
        }

        await using var database = await BambuddyDatabase.OpenAsync(new BambuddyInstallation(dir.Path, DatabaseBackend.Sqlite, path), timeout.Token);
        var tables = await database.ListTablesAsync(timeout.Token);
        Assert.Equal(BambuddySchema.TableCount, tables.Count);
        Assert.Contains("print_archives", tables);
        Assert.Contains("spool_usage_history", tables);
        Assert.DoesNotContain(tables, t => t.StartsWith("archive_fts", StringComparison.Ordinal));
        await using var command = database.Connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('archive_fts', 'archive_fts_insert', 'archive_fts_update', 'archive_fts_delete')";
        Assert.Equal(4L, await command.ExecuteScalarAsync(timeout.Token));
    }

    [Fact]
    public async Task SchemaOnAnEmptyPostgresDatabaseHas64TablesAndEveryForeignKeyIncludingTheCycle()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await server.CreateDatabaseAsync("schema_apply", timeout.Token);

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(timeout.Token);
            await BambuddySchema.ApplyToPostgresAsync(connection, timeout.Token);
        }

        await using var database = await BambuddyDatabase.OpenAsync(new BambuddyInstallation("/data", DatabaseBackend.PostgreSql, connectionString), timeout.Token);
        Assert.Equal(BambuddySchema.TableCount, (await database.ListTablesAsync(timeout.Token)).Count);
        await using var command = database.Connection.CreateCommand();
        command.CommandText = "SELECT conrelid::regclass::text || '->' || confrelid::regclass::text FROM pg_constraint WHERE contype = 'f'";
        var keys = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(timeout.Token))
        {
            while (await reader.ReadAsync(timeout.Token))
            {
                keys.Add(reader.GetString(0));
            }
        }

        Assert.Equal(BambuddySchema.PostgresForeignKeys.Count, keys.Count);
        Assert.Contains("library_files->library_folders", keys);
        Assert.Contains("library_folders->print_archives", keys);
        Assert.Contains("print_archives->library_files", keys);
    }

    [Fact]
    public async Task BothSchemasHaveTheSameTablesAndColumns()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var dir = new TempDirectory();
        var path = dir.Combine("bambuddy.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync(timeout.Token);
            await BambuddySchema.ApplyToSqliteAsync(connection, timeout.Token);
        }

        var connectionString = await server.CreateDatabaseAsync("schema_compare", timeout.Token);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(timeout.Token);
            await BambuddySchema.ApplyToPostgresAsync(connection, timeout.Token);
        }

        await using var sqlite = await BambuddyDatabase.OpenAsync(new BambuddyInstallation(dir.Path, DatabaseBackend.Sqlite, path), timeout.Token);
        await using var postgres = await BambuddyDatabase.OpenAsync(new BambuddyInstallation(dir.Path, DatabaseBackend.PostgreSql, connectionString), timeout.Token);
        var tables = await sqlite.ListTablesAsync(timeout.Token);
        Assert.Equal(tables, await postgres.ListTablesAsync(timeout.Token));
        foreach (var table in tables)
        {
            Assert.Equal(await sqlite.ListColumnsAsync(table, timeout.Token), await postgres.ListColumnsAsync(table, timeout.Token));
        }
    }
}
