using Bambuddy.Core.Catalog;
using Bambuddy.Core.Jobs;
using Bambuddy.Core.Messaging;
using Bambuddy.Core.Secrets;
using Bambuddy.Restore.Consumers;
using Bambuddy.Restore.Restoring;
using Microsoft.Extensions.Options;

namespace Bambuddy.Restore.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddWorkerDefaults();
        builder.Services.AddBackupSecrets(StateDirectory.Resolve(builder.Configuration));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<RestoreOptions>().BindConfiguration(RestoreOptions.Section);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<RestoreOptions>>().Value);
        builder.Services.AddSingleton<BackupCatalog>();
        builder.Services.AddSingleton<RestoreSourceResolver>();
        builder.Services.AddSingleton<ISafetyBackups, BusSafetyBackups>();
        builder.Services.AddSingleton<IRestoreCheckpoints>(sp => new FaultInjectionCheckpoints(
            sp.GetRequiredService<WorkerPaths>().StateDirectory, sp.GetRequiredService<RestoreOptions>().AllowFaultInjection));
        builder.Services.AddSingleton<RestoreJobRunner>();
        builder.Services.AddSingleton<RestoreRecovery>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RestoreRecovery>());
        builder.AddBackupMessaging(bus => bus.AddConsumer<RestoreBackupConsumer>(typeof(RestoreBackupConsumerDefinition)));
        return builder;
    }
}
