using Bambuddy.ArchivePackager.Consumers;
using Bambuddy.ArchivePackager.Packaging;
using Bambuddy.Core.Jobs;
using Bambuddy.Core.Messaging;
using MassTransit;

namespace Bambuddy.ArchivePackager.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddWorkerDefaults();
        builder.Services.AddSingleton<PlaceholderBackupWriter>();
        builder.AddBackupMessaging(bus => bus.AddConsumer<CreateLocalBackupConsumer, CreateLocalBackupConsumerDefinition>());
        return builder;
    }
}
