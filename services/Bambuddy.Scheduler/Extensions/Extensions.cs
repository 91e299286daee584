using Bambuddy.Core.Catalog;
using Bambuddy.Core.Jobs;
using Bambuddy.Core.Messaging;
using Bambuddy.Core.Secrets;
using Bambuddy.Scheduler.GitBackups;
using Bambuddy.Scheduler.LocalBackups;
using Bambuddy.Scheduler.Consumers;
using Bambuddy.Scheduler.Jobs;
using Bambuddy.Scheduler.Restores;
using MassTransit;

namespace Bambuddy.Scheduler.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource("backupdb");
        builder.AddInstallation();
        builder.Services.AddBackupSecrets(StateDirectory.Resolve(builder.Configuration));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(ScheduleZone.FromConfiguration(builder.Configuration));
        builder.Services.AddOptions<JobOptions>().BindConfiguration(JobOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        // Registered first: hosted services start in order, and the tables must exist before the rest.
        builder.Services.AddHostedService<JobSchema>();
        builder.Services.AddSingleton<JobMetrics>();
        builder.Services.AddSingleton<BackupFreshness>();
        builder.Services.AddHostedService<BackupFreshness.Loader>();
        builder.Services.AddSingleton<JobStore>();
        builder.Services.AddSingleton<JobPublisher>();
        builder.Services.AddSingleton<JobWaiter>();
        builder.Services.AddSingleton<DownloadFiles>();
        builder.Services.AddSingleton<BackupCatalog>();
        builder.Services.AddHostedService<CatalogSchema>();
        builder.Services.AddSingleton<LocalBackupSettingsStore>();
        builder.Services.AddSingleton<BackupLocator>();
        builder.Services.AddHostedService<BambuddySettingsImport>();
        builder.Services.AddHostedService<ScheduleRunner>();
        builder.Services.AddHostedService<OutboxRelay>();
        builder.Services.AddHostedService<WorkerLostMonitor>();
        builder.AddRestores();
        builder.Services.AddOptions<GitBackupOptions>().BindConfiguration(GitBackupOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<GitBackupConfigStore>();
        builder.Services.AddSingleton<GitBackupLogStore>();
        builder.Services.AddSingleton<GitBackupRuns>();
        builder.Services.AddSingleton<GitConnectionTester>();
        builder.Services.AddHostedService<GitScheduleRunner>();

        builder.AddBackupMessaging(bus => bus.AddConsumers(typeof(BackupProgressedConsumer).Assembly));

        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JobJson.Options.PropertyNamingPolicy;
        });
        builder.Services.AddOpenApi();
        return builder;
    }
}
