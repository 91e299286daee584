using Bambuddy.Core.Archive;
using Bambuddy.Core.Bambuddy;
using Bambuddy.Core.Installation;
using Bambuddy.DemoData;
using Bambuddy.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bambuddy.Restore.Tests.Database;

/// <summary>Deterministic Bambuddy installations and their backups' <c>bambuddy.db</c>, made by our own exporter.</summary>
internal static class DemoDatabases
{
    private const int Rows = 1_500;
    private const long MediaBytes = 256L << 10;

    public static async Task<BambuddyInstallation> SqliteAsync(string dataDirectory, long seed, CancellationToken ct) =>
        (await new DemoInstallationGenerator(new DemoInstallationOptions(dataDirectory) { MediaBytes = MediaBytes, Rows = Rows, Seed = seed }).GenerateAsync(ct)).Installation;

    public static async Task<BambuddyInstallation> PostgresAsync(PostgresServer server, string database, string dataDirectory, long seed, CancellationToken ct)
    {
        await server.CreateDatabaseAsync(database, ct);
        var result = await new DemoInstallationGenerator(new DemoInstallationOptions(dataDirectory)
        {
            DatabaseUrl = server.DatabaseUrl(database), MediaBytes = MediaBytes, Rows = Rows, Seed = seed,
        }).GenerateAsync(ct);
        NpgsqlConnection.ClearAllPools();
        return result.Installation;
    }

    public static async Task<BambuddyInstallation> EmptyPostgresAsync(PostgresServer server, string database, TempDirectory dir, CancellationToken ct)
    {
        var connectionString = await server.CreateDatabaseAsync(database, ct);
        NpgsqlConnection.ClearAllPools();
        return new BambuddyInstallation(dir.Path, DatabaseBackend.PostgreSql, connectionString);
    }

    /// <summary>The installation's database as a backup's <c>bambuddy.db</c>, in <paramref name="dir"/>.</summary>
    public static async Task<string> BackupDbAsync(BambuddyInstallation installation, TempDirectory dir, CancellationToken ct)
    {
        var path = dir.Combine($"bambuddy-{Guid.NewGuid():N}.db");
        using (var snapshot = await DatabaseSnapshot.CreateAsync(installation, dir.Combine("snapshots"), null, ct))
        {
            File.Copy(snapshot.Path, path);
        }

        NpgsqlConnection.ClearAllPools();
        return path;
    }

    /// <summary>A backup's database with Bambuddy's SQLite schema and no rows, for hand-made cases.</summary>
    public static async Task<string> EmptyBambuddySqliteAsync(TempDirectory dir, CancellationToken ct)
    {
        var path = dir.Combine($"hand-made-{Guid.NewGuid():N}.db");
        await using var connection = Open(path);
        await connection.OpenAsync(ct);
        await BambuddySchema.ApplyToSqliteAsync(connection, ct);
        return path;
    }

    public static SqliteConnection Open(string path) =>
        new(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());

    public static async Task ExecuteAsync(string sqlitePath, string sql, CancellationToken ct)
    {
        await using var connection = Open(sqlitePath);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task<object?> ScalarAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(ct);
    }
}
