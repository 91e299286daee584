using Bambuddy.Testing;

namespace Bambuddy.GitSync.Tests.Support;

/// <summary>One real smart-HTTP git server for a test class; each test makes its own bare repository.</summary>
public sealed class GitServerFixture : IAsyncLifetime
{
    public const string Token = "test-token-0123456789abcdefSECRET";

    public GitHttpServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Server = await GitHttpServer.StartAsync(Token, timeout.Token);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
