using System.Collections.Concurrent;
using Bambuddy.Contracts;
using MassTransit;

namespace Bambuddy.EndToEnd.Tests;

/// <summary>
/// A bus of the test's own on the system's real RabbitMQ, with its own queue bound to the messages
/// the system publishes, so a test can count what really went over the broker.
/// </summary>
public sealed class BusObserver : IAsyncDisposable
{
    private readonly IBusControl _bus;
    private readonly ConcurrentQueue<(Guid JobId, string Type)> _seen = new();

    private BusObserver(IBusControl bus) => _bus = bus;

    public IPublishEndpoint Publisher => _bus;

    public static async Task<BusObserver> StartAsync(string connectionString, CancellationToken cancellationToken)
    {
        BusObserver? observer = null;
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(new Uri(connectionString));
            rabbit.ReceiveEndpoint($"e2e-observer-{Guid.NewGuid():N}", endpoint =>
            {
                endpoint.AutoDelete = true;
                endpoint.Durable = false;
                endpoint.Handler<CreateLocalBackup>(c => observer!.Record(c.Message.JobId, nameof(CreateLocalBackup)));
                endpoint.Handler<BackupProgressed>(c => observer!.Record(c.Message.JobId, nameof(BackupProgressed)));
                endpoint.Handler<LocalBackupCompleted>(c => observer!.Record(c.Message.JobId, nameof(LocalBackupCompleted)));
            });
        });
        observer = new BusObserver(bus);
        await bus.StartAsync(cancellationToken);
        return observer;
    }

    public int Count(Guid jobId, string type) => _seen.Count(s => s.JobId == jobId && s.Type == type);

    public int CountAll(string type) => _seen.Count(s => s.Type == type);

    private Task Record(Guid jobId, string type)
    {
        _seen.Enqueue((jobId, type));
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _bus.StopAsync(Timeouts.For(TimeSpan.FromSeconds(30)));
}
