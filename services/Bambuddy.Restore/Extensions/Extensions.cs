using Bambuddy.Core.Jobs;
using Bambuddy.Core.Messaging;
using Bambuddy.Restore.Consumers;

namespace Bambuddy.Restore.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddWorkerDefaults();
        builder.AddBackupMessaging(bus => bus.AddConsumer<RestoreBackupConsumer>());
        return builder;
    }
}
