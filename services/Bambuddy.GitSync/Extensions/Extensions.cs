using Bambuddy.Core.Jobs;
using Bambuddy.Core.Messaging;
using Bambuddy.Core.Secrets;
using Bambuddy.GitSync.Consumers;
using Bambuddy.GitSync.Hosting;
using Bambuddy.GitSync.Repository;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bambuddy.GitSync.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddWorkerDefaults();
        builder.Services.AddBackupSecrets(StateDirectory.Resolve(builder.Configuration));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<GitSyncOptions>().BindConfiguration(GitSyncOptions.Section);
        builder.Services.AddSingleton<GitRepositorySync>();
        builder.Services.AddSingleton<GitBackupRunner>();

        builder.Services.AddGitSources(builder.Configuration);
        builder.AddBackupMessaging(bus =>
        {
            bus.AddConsumer<RunGitBackupConsumer, RunGitBackupConsumerDefinition>();
            bus.AddConsumer<TestGitConnectionConsumer>();
        });
        return builder;
    }
}
