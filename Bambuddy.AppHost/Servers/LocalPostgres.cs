using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Bambuddy.AppHost.Servers;

/// <summary>The local PostgreSQL server and the connection strings of its databases.</summary>
internal sealed record LocalPostgres(
    IResourceBuilder<LocalPostgresServerResource> Server,
    IReadOnlyDictionary<string, IResourceBuilder<IResourceWithConnectionString>> Databases)
{
    public IResourceBuilder<IResourceWithConnectionString> Database(string name) => Databases[name];
}

internal static class LocalPostgresExtensions
{
    /// <summary>
    /// PostgreSQL from Debian's package as an executable resource. As root it runs as the
    /// <c>postgres</c> user through <c>setpriv</c>, which replaces itself with the postmaster, so the
    /// process DCP tracks (and stops) is postgres itself. The cluster is created once with
    /// <c>initdb</c>; the databases are created by the health check when missing.
    /// </summary>
    public static LocalPostgres AddLocalPostgres(this IDistributedApplicationBuilder builder, string name, string directory, string[] databases)
    {
        var binDir = FindBinDirectory(builder.Configuration["BACKUP_PG_BIN"]);
        var dataDir = Path.Combine(directory, "data");
        var runAsPostgres = Environment.UserName == "root";
        var password = PrepareCluster(binDir, directory, dataDir, runAsPostgres);

        builder.Configuration[$"Parameters:{name}-password"] = password;
        var passwordParameter = builder.AddParameter($"{name}-password", secret: true);

        var postgresArgs = new[]
        {
            "-D", dataDir, "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
            "-c", "max_connections=200",
        };
        var (command, args) = runAsPostgres
            ? ("/usr/bin/setpriv", (string[])["--reuid=postgres", "--regid=postgres", "--init-groups", Path.Combine(binDir, "postgres"), .. postgresArgs])
            : (Path.Combine(binDir, "postgres"), postgresArgs);

        var resource = new LocalPostgresServerResource(name, command, directory, passwordParameter.Resource);
        var healthKey = $"{name}-ready";
        var server = builder.AddResource(resource)
            .WithArgs(args)
            .WithEndpoint(name: LocalPostgresServerResource.EndpointName, scheme: "tcp", env: "PGPORT")
            .WithHealthCheck(healthKey);

        string? adminConnectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(resource, async (_, ct) =>
            adminConnectionString = await resource.ConnectionStringExpression.GetValueAsync(ct));
        builder.Services.AddHealthChecks().AddAsyncCheck(healthKey, async ct =>
        {
            adminConnectionString ??= await resource.ConnectionStringExpression.GetValueAsync(ct);
            return await EnsureDatabasesAsync(adminConnectionString!, databases, ct);
        });

        var databaseResources = databases.ToDictionary(
            db => db,
            db => (IResourceBuilder<IResourceWithConnectionString>)builder
                .AddConnectionString(db, ReferenceExpression.Create($"{resource};Database={db}")));
        return new LocalPostgres(server, databaseResources);
    }

    private static async Task<HealthCheckResult> EnsureDatabasesAsync(string adminConnectionString, string[] databases, CancellationToken ct)
    {
        try
        {
            // No pooling: a pooled idle connection would delay the server's smart shutdown.
            var builder = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = "postgres", Pooling = false, Timeout = 3 };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(ct);
            foreach (var database in databases)
            {
                await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = database } } };
                if (await exists.ExecuteScalarAsync(ct) is null)
                {
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
                    await create.ExecuteNonQueryAsync(ct);
                }
            }

            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }

    private static string PrepareCluster(string binDir, string directory, string dataDir, bool runAsPostgres)
    {
        Directory.CreateDirectory(directory);
        var passwordFile = Path.Combine(directory, "password");
        if (File.Exists(Path.Combine(dataDir, "PG_VERSION")) && File.Exists(passwordFile))
        {
            return File.ReadAllText(passwordFile).Trim();
        }

        if (Directory.Exists(dataDir))
        {
            Directory.Delete(dataDir, recursive: true); // an initdb that never finished
        }

        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        File.WriteAllText(passwordFile, password);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var initPasswordFile = Path.Combine(directory, ".initdb-password");
        File.WriteAllText(initPasswordFile, password);
        try
        {
            if (runAsPostgres)
            {
                EnsureReachableByPostgres(directory);
                Run("/usr/bin/chown", ["postgres:postgres", directory, initPasswordFile]);
            }

            string[] initArgs = [Path.Combine(binDir, "initdb"), "-D", dataDir, "-U", "postgres", $"--pwfile={initPasswordFile}",
                "--auth=scram-sha-256", "--no-locale", "-E", "UTF8", "--no-sync"];
            if (runAsPostgres)
            {
                Run("/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", .. initArgs]);
            }
            else
            {
                Run(initArgs[0], initArgs[1..]);
            }
        }
        finally
        {
            File.Delete(initPasswordFile);
        }

        return password;
    }

    /// <summary>The postgres user must traverse every parent of its data folder.</summary>
    private static void EnsureReachableByPostgres(string directory)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            var mode = dir.UnixFileMode;
            if ((mode & UnixFileMode.OtherExecute) == 0)
            {
                if (dir.FullName.StartsWith("/tmp/", StringComparison.Ordinal) || dir.FullName.Contains("bambuddy", StringComparison.OrdinalIgnoreCase))
                {
                    dir.UnixFileMode = mode | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute;
                }
                else
                {
                    throw new InvalidOperationException(
                        $"PostgreSQL runs as the 'postgres' user and cannot enter '{dir.FullName}'. " +
                        "Set BACKUP_STATE_DIR to a folder outside a private home directory (default /var/lib/bambuddy-backup).");
                }
            }
        }
    }

    private static string FindBinDirectory(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var found = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "postgres")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres): run eng/install-deps.sh, or set BACKUP_PG_BIN.");
    }

    private static void Run(string file, string[] args)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(args.FirstOrDefault(a => a.StartsWith('/')) ?? file)} failed ({process.ExitCode}): {stderr.Result.Trim()}");
        }
    }
}
