using Bambuddy.AppHost.Servers;
using Bambuddy.Core.Installation;

namespace Bambuddy.AppHost;

internal static class AppHostExtensions
{
    private static readonly string[] PassThrough =
        [InstallationResolver.DataDirVariable, InstallationResolver.DatabaseUrlVariable, "TZ"];

    public static string ResolveStateDirectory(this IDistributedApplicationBuilder builder)
    {
        var stateDirectory = StateDirectory.Resolve(builder.Configuration);
        if (Environment.UserName == "root")
        {
            // The local PostgreSQL runs as the postgres user and must traverse it.
            File.SetUnixFileMode(stateDirectory, File.GetUnixFileMode(stateDirectory) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
        }

        return stateDirectory;
    }

    /// <summary>Fails at start, naming the variable, when the protected installation is configured wrongly.</summary>
    public static bool TryValidateInstallation(this IDistributedApplicationBuilder builder, string stateDirectory, out InstallationSettings settings)
    {
        settings = new InstallationSettings(UsesDemo: true);
        var dataDir = builder.Configuration[InstallationResolver.DataDirVariable];
        var databaseUrl = builder.Configuration[InstallationResolver.DatabaseUrlVariable];
        if (string.IsNullOrWhiteSpace(dataDir) && string.IsNullOrWhiteSpace(databaseUrl))
        {
            return true;
        }

        try
        {
            var installation = InstallationResolver.Resolve(builder.Configuration, stateDirectory);
            Console.WriteLine($"Protecting the Bambuddy installation: {installation.Describe()}");
            settings = new InstallationSettings(UsesDemo: false);
            return true;
        }
        catch (InstallationConfigurationException ex)
        {
            Console.Error.WriteLine($"Bambuddy Backup cannot start: {ex.Message}");
            return false;
        }
    }

    /// <summary>
    /// With no installation configured, a small deterministic demo installation (DESIGN §1) in the
    /// AppHost's <c>bambuddy</c> database and the state directory, made once: <c>--if-empty</c> leaves an
    /// existing one alone. The services start after it has finished.
    /// </summary>
    public static IResourceBuilder<ProjectResource>? AddDemoInstallation(
        this IDistributedApplicationBuilder builder, string stateDirectory, InstallationSettings installation, BackingServers servers)
    {
        if (!installation.UsesDemo)
        {
            return null;
        }

        var size = builder.Configuration["BACKUP_DEMO_SIZE"] is { Length: > 0 } configured ? configured : "20MB";
        return builder.AddProject<Projects.Bambuddy_DemoData>("demo-data")
            .WithArgs("--data-dir", Path.Combine(stateDirectory, "demo-data"), "--database-url", servers.Bambuddy.Reference.Resource,
                "--if-empty", "--size", size, "--seed", "1")
            .WaitFor(servers.Bambuddy.WaitTarget);
    }

    public static IResourceBuilder<ProjectResource> AddBackupService<TProject>(
        this IDistributedApplicationBuilder builder, string name, string stateDirectory, InstallationSettings installation, BackingServers servers,
        IResourceBuilder<ProjectResource>? demo)
        where TProject : IProjectMetadata, new()
    {
        var service = builder.AddProject<TProject>(name)
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health")
            .WithEnvironment(StateDirectory.Variable, stateDirectory)
            .WithReference(servers.BackupDb.Reference).WaitFor(servers.BackupDb.WaitTarget)
            .WithReference(servers.Messaging.Reference, connectionName: "messaging").WaitFor(servers.Messaging.WaitTarget);

        if (demo is not null)
        {
            service.WithReference(servers.Bambuddy.Reference).WaitForCompletion(demo);
        }

        foreach (var variable in PassThrough)
        {
            var value = builder.Configuration[variable];
            if (!string.IsNullOrWhiteSpace(value))
            {
                service.WithEnvironment(variable, value);
            }
        }

        return service;
    }

    public static IResourceBuilder<ProjectResource> AddGateway(
        this IDistributedApplicationBuilder builder, string stateDirectory, IResourceBuilder<ProjectResource> scheduler)
    {
        var port = int.TryParse(builder.Configuration["GATEWAY_PORT"], out var configured) ? configured : 8080;
        var gateway = builder.AddProject<Projects.Bambuddy_Gateway>("gateway")
            .WithHttpEndpoint(port: port)
            .WithHttpHealthCheck("/health")
            .WithEnvironment(StateDirectory.Variable, stateDirectory)
            .WithReference(scheduler).WaitFor(scheduler);

        var apiKey = builder.Configuration["BACKUP_API_KEY"];
        if (!string.IsNullOrWhiteSpace(apiKey))
        {
            builder.Configuration["Parameters:backup-api-key"] = apiKey;
            gateway.WithEnvironment("BACKUP_API_KEY", builder.AddParameter("backup-api-key", secret: true));
        }

        return gateway;
    }
}

internal sealed record InstallationSettings(bool UsesDemo);
