using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Bambuddy.Core.Installation;

/// <summary>
/// Finds the protected installation from configuration, as DESIGN §1 says:
/// <c>BAMBUDDY_DATA_DIR</c> and <c>BAMBUDDY_DATABASE_URL</c> (Bambuddy's own URL forms or an Npgsql
/// connection string); with only the data directory, <c>DATA_DIR/bambuddy.db</c>; with neither, the
/// <c>bambuddy</c> connection string and the demo data folder in the state directory.
/// </summary>
public static class InstallationResolver
{
    public const string DataDirVariable = "BAMBUDDY_DATA_DIR";
    public const string DatabaseUrlVariable = "BAMBUDDY_DATABASE_URL";
    public const string DemoConnectionName = "bambuddy";

    public static BambuddyInstallation Resolve(IConfiguration configuration, string stateDirectory)
    {
        var dataDir = Normalize(configuration[DataDirVariable]);
        var databaseUrl = Normalize(configuration[DatabaseUrlVariable]);

        if (dataDir is null && databaseUrl is null)
        {
            var demo = configuration.GetConnectionString(DemoConnectionName);
            if (string.IsNullOrWhiteSpace(demo))
            {
                throw new InstallationConfigurationException(
                    $"No Bambuddy installation is configured: set {DataDirVariable} (and {DatabaseUrlVariable} for PostgreSQL), " +
                    $"or run under the AppHost, which provides ConnectionStrings:{DemoConnectionName}.");
            }

            return new BambuddyInstallation(Path.Combine(stateDirectory, "demo-data"), DatabaseBackend.PostgreSql, ParsePostgres(demo, $"ConnectionStrings:{DemoConnectionName}"));
        }

        if (dataDir is null)
        {
            throw new InstallationConfigurationException(
                $"{DatabaseUrlVariable} is set but {DataDirVariable} is not: the data directory (archive/, projects/, …) is needed too.");
        }

        if (!Path.IsPathFullyQualified(dataDir))
        {
            throw new InstallationConfigurationException($"{DataDirVariable} must be an absolute path, got '{dataDir}'.");
        }

        dataDir = Path.GetFullPath(dataDir);
        if (databaseUrl is null)
        {
            return new BambuddyInstallation(dataDir, DatabaseBackend.Sqlite, Path.Combine(dataDir, "bambuddy.db"));
        }

        return ParseDatabaseUrl(databaseUrl, dataDir);
    }

    /// <summary>Parses <c>BAMBUDDY_DATABASE_URL</c>; <paramref name="dataDir"/> anchors a relative SQLite path.</summary>
    public static BambuddyInstallation ParseDatabaseUrl(string databaseUrl, string dataDir)
    {
        var schemeEnd = databaseUrl.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd > 0 ? databaseUrl[..schemeEnd].ToLowerInvariant() : null;

        if (scheme is "sqlite" or "sqlite+aiosqlite" or "sqlite+pysqlite")
        {
            // SQLAlchemy: sqlite:///relative.db, sqlite:////absolute/path.db (four slashes).
            var rest = databaseUrl[(schemeEnd + 3)..];
            if (!rest.StartsWith('/') || rest.Length < 2)
            {
                throw new InstallationConfigurationException(
                    $"{DatabaseUrlVariable} has no SQLite file path: expected sqlite+aiosqlite:////absolute/path/bambuddy.db, got '{Redact(databaseUrl)}'.");
            }

            var query = rest.IndexOf('?');
            var path = Uri.UnescapeDataString(query >= 0 ? rest[1..query] : rest[1..]);
            var full = Path.IsPathRooted(path) ? Path.GetFullPath(path) : Path.GetFullPath(Path.Combine(dataDir, path));
            return new BambuddyInstallation(dataDir, DatabaseBackend.Sqlite, full);
        }

        if (scheme is "postgresql" or "postgres" or "postgresql+asyncpg" or "postgresql+psycopg" or "postgresql+psycopg2")
        {
            return new BambuddyInstallation(dataDir, DatabaseBackend.PostgreSql, PostgresUrlToConnectionString(databaseUrl));
        }

        if (scheme is null && databaseUrl.Contains('='))
        {
            return new BambuddyInstallation(dataDir, DatabaseBackend.PostgreSql, ParsePostgres(databaseUrl, DatabaseUrlVariable));
        }

        throw new InstallationConfigurationException(
            $"{DatabaseUrlVariable} is not a database URL this system understands: use sqlite+aiosqlite:////path/bambuddy.db, " +
            $"postgresql+asyncpg://user:pass@host:port/db or an Npgsql connection string (got scheme '{scheme ?? "none"}').");
    }

    private static string PostgresUrlToConnectionString(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new InstallationConfigurationException($"{DatabaseUrlVariable} is not a valid PostgreSQL URL: '{Redact(url)}'.");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port > 0 ? uri.Port : 5432,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
            ApplicationName = ApplicationName,

            // No idle sessions of ours linger on Bambuddy's database (a forced restore ends other sessions).
            Pooling = false,
        };
        if (string.IsNullOrEmpty(builder.Database))
        {
            throw new InstallationConfigurationException($"{DatabaseUrlVariable} names no database: '{Redact(url)}'.");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var colon = uri.UserInfo.IndexOf(':');
            builder.Username = Uri.UnescapeDataString(colon >= 0 ? uri.UserInfo[..colon] : uri.UserInfo);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        return builder.ConnectionString;
    }

    private static string ParsePostgres(string connectionString, string variable)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrEmpty(builder.Host))
            {
                throw new InstallationConfigurationException($"{variable} has no Host.");
            }

            builder.ApplicationName ??= ApplicationName;
            builder.Pooling = false;
            return builder.ConnectionString;
        }
        catch (ArgumentException ex)
        {
            throw new InstallationConfigurationException($"{variable} is not a valid Npgsql connection string: {ex.Message}");
        }
    }

    /// <summary>How our sessions on the installation's database name themselves (<c>pg_stat_activity.application_name</c>).</summary>
    public const string ApplicationName = "bambuddy-backup";

    /// <summary>A URL with its password replaced, for messages.</summary>
    public static string Redact(string url)
    {
        var at = url.IndexOf('@');
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || schemeEnd < 0 || at < schemeEnd)
        {
            return url.Contains("password", StringComparison.OrdinalIgnoreCase) ? "(connection string hidden)" : url;
        }

        var userInfo = url[(schemeEnd + 3)..at];
        var colon = userInfo.IndexOf(':');
        return colon < 0 ? url : string.Concat(url.AsSpan(0, schemeEnd + 3), userInfo.AsSpan(0, colon), ":***", url.AsSpan(at));
    }

    private static string? Normalize(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
