using Bambuddy.Core.Installation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bambuddy.Core.Jobs;

public static class WorkerHostingExtensions
{
    public const string BackupDbConnectionName = "backupdb";

    /// <summary>What every worker needs: the job ledger over <c>backupdb</c> and the protected installation.</summary>
    public static IHostApplicationBuilder AddWorkerDefaults(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource(BackupDbConnectionName);
        builder.Services.AddSingleton<JobLedger>();
        return builder.AddInstallation();
    }

    /// <summary>The protected installation and the state directory, validated at start.</summary>
    public static IHostApplicationBuilder AddInstallation(this IHostApplicationBuilder builder)
    {
        var stateDirectory = StateDirectory.Resolve(builder.Configuration);
        // Resolving here makes a wrong BAMBUDDY_* value fail the service at start, naming the variable.
        var installation = InstallationResolver.Resolve(builder.Configuration, stateDirectory);
        builder.Services.AddSingleton(installation);
        builder.Services.AddSingleton(new WorkerPaths(stateDirectory));
        return builder;
    }
}
