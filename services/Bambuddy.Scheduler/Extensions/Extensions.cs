using Bambuddy.Core.Messaging;
using Bambuddy.Scheduler.Consumers;
using Bambuddy.Scheduler.Jobs;
using MassTransit;

namespace Bambuddy.Scheduler.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource("backupdb");
        builder.Services.AddOptions<JobOptions>().BindConfiguration(JobOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        // Registered first: hosted services start in order, and the tables must exist before the rest.
        builder.Services.AddHostedService<JobSchema>();
        builder.Services.AddSingleton<JobMetrics>();
        builder.Services.AddSingleton<JobStore>();
        builder.Services.AddSingleton<JobPublisher>();
        builder.Services.AddSingleton<JobWaiter>();
        builder.Services.AddHostedService<OutboxRelay>();
        builder.Services.AddHostedService<WorkerLostMonitor>();

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
