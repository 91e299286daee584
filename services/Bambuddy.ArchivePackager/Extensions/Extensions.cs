using Bambuddy.ArchivePackager.Consumers;
using Bambuddy.ArchivePackager.Packaging;
using Bambuddy.Core.Catalog;
using Bambuddy.Core.Jobs;
using Bambuddy.Core.Secrets;
using Bambuddy.Core.Messaging;
using MassTransit;

namespace Bambuddy.ArchivePackager.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddWorkerDefaults();
        builder.Services.AddBackupSecrets(StateDirectory.Resolve(builder.Configuration));
        builder.Services.AddSingleton<BackupCatalog>();
        builder.Services.AddHostedService<CatalogSchema>();
        builder.Services.AddSingleton<BackupJobRunner>();
        builder.Services.AddSingleton<BackupMetrics>();
        builder.Services.AddSingleton(new PackagerFaultInjection(
            StateDirectory.Resolve(builder.Configuration), builder.Configuration.GetValue<bool>("Packaging:AllowFaultInjection")));
        builder.AddBackupMessaging(bus => bus.AddConsumer<CreateLocalBackupConsumer, CreateLocalBackupConsumerDefinition>());
        return builder;
    }
}
