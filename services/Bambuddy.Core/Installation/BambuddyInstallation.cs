namespace Bambuddy.Core.Installation;

/// <summary>
/// The Bambuddy installation this system protects: its data directory and its database
/// (a SQLite file, or PostgreSQL through an Npgsql connection string).
/// </summary>
public sealed record BambuddyInstallation(string DataDirectory, DatabaseBackend Backend, string ConnectionString)
{
    /// <summary>The SQLite file, when <see cref="Backend"/> is <see cref="DatabaseBackend.Sqlite"/>.</summary>
    public string? SqlitePath => Backend == DatabaseBackend.Sqlite ? ConnectionString : null;

    /// <summary>Safe to log: no password.</summary>
    public string Describe() => Backend switch
    {
        DatabaseBackend.Sqlite => $"SQLite {ConnectionString}, data {DataDirectory}",
        _ => $"PostgreSQL {DescribePostgres(ConnectionString)}, data {DataDirectory}",
    };

    private static string DescribePostgres(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }
}
