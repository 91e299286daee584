using Bambuddy.Core.Jobs;
using Bambuddy.Core.Messaging;
using Bambuddy.GitSync.Consumers;

namespace Bambuddy.GitSync.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddWorkerDefaults();
        builder.AddBackupMessaging(bus =>
        {
            bus.AddConsumer<RunGitBackupConsumer>();
            bus.AddConsumer<TestGitConnectionConsumer>();
        });
        return builder;
    }
}
