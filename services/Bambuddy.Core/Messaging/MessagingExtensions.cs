using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bambuddy.Core.Messaging;

public static class MessagingExtensions
{
    public const string ConnectionName = "messaging";

    /// <summary>
    /// MassTransit over RabbitMQ from the <c>messaging</c> connection string, kebab-case endpoints
    /// (competing consumers share one queue per consumer), a short in-memory retry for transient faults.
    /// </summary>
    public static IHostApplicationBuilder AddBackupMessaging(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator> configure)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} (RabbitMQ) is not configured.");

        // The broker may already be gone when the system stops: do not wait long to say goodbye.
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(options =>
        {
            options.StartTimeout = TimeSpan.FromSeconds(60);
            options.StopTimeout = TimeSpan.FromSeconds(1);
        });
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            configure(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(connectionString));
                rabbit.UseMessageRetry(retry => retry.Intervals(200, 1000, 3000));
                rabbit.ConfigureEndpoints(context);
            });
        });
        return builder;
    }
}
