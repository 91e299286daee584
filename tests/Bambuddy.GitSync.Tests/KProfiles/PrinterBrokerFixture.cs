using Bambuddy.Testing;

namespace Bambuddy.GitSync.Tests.KProfiles;

/// <summary>One real mosquitto (TLS, password file) for the K-profile tests, standing in for the printers' LAN brokers.</summary>
public sealed class PrinterBrokerFixture : IAsyncLifetime
{
    public const string AccessCode = "31415926";

    public MosquittoServer Broker { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Broker = await MosquittoServer.StartAsync(new Dictionary<string, string> { ["bblp"] = AccessCode }, timeout.Token);
    }

    public async Task DisposeAsync() => await Broker.DisposeAsync();
}
