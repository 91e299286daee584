using System.Net;
using System.Net.Sockets;
using Bambuddy.Core.Storage;
using Bambuddy.Testing;
using Xunit.Abstractions;

namespace Bambuddy.Storage.Tests;

[Collection(S3Collection.Name)]
public sealed class S3FailureTests(S3Server server, ITestOutputHelper output)
{
    private const string Name = "bambuddy-backup-20260101-000000.zip";

    [Fact]
    public async Task WrongAccessKeyFailsAsAccessDeniedNamingTheCredentials()
    {
        using var timeout = Timeouts.Short();
        using var store = new S3BackupStore(Options(server.Endpoint, accessKey: "NOT-S3RVER"));

        var list = await Assert.ThrowsAsync<BackupStoreException>(() => store.ListAsync(timeout.Token));
        var write = await Assert.ThrowsAsync<BackupStoreException>(() =>
            store.WriteAsync(Name, new PatternStream(10), 10, PatternStream.Sha256Of(10), timeout.Token));

        Assert.All(new[] { list, write }, error =>
        {
            output.WriteLine(error.Message);
            Assert.Equal(BackupStoreFailure.AccessDenied, error.Reason);
            Assert.Contains("access", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("credentials", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(S3Server.SecretKey + "\"", error.Message);
        });
    }

    [Fact]
    public async Task UnreachableEndpointFailsNamingTheEndpoint()
    {
        using var timeout = Timeouts.Short();
        var endpoint = $"127.0.0.1:{UnusedPort()}";
        using var store = new S3BackupStore(Options(endpoint));

        var list = await Assert.ThrowsAsync<BackupStoreException>(() => store.ListAsync(timeout.Token));
        var write = await Assert.ThrowsAsync<BackupStoreException>(() =>
            store.WriteAsync(Name, new PatternStream(10), 10, PatternStream.Sha256Of(10), timeout.Token));
        var read = await Assert.ThrowsAsync<BackupStoreException>(() => store.OpenReadRangeAsync(Name, 5, 5, timeout.Token));

        Assert.All(new[] { list, write, read }, error =>
        {
            output.WriteLine(error.Message);
            Assert.Equal(BackupStoreFailure.Unreachable, error.Reason);
            Assert.Contains($"http://{endpoint}", error.Message);
            Assert.Contains("unreachable", error.Message);
        });
    }

    [Fact]
    public void OptionsNeverShowTheSecretKey()
    {
        var options = Options(server.Endpoint) with { SecretKey = "very-secret-key" };

        Assert.DoesNotContain("very-secret-key", options.ToString());
        Assert.Contains(server.Endpoint, options.ToString());
    }

    private static S3StoreOptions Options(string endpoint, string accessKey = S3Server.AccessKey) => new()
    {
        Endpoint = endpoint,
        Bucket = "failures",
        AccessKey = accessKey,
        SecretKey = S3Server.SecretKey,
        UseTls = false,
    };

    // Bound and released: nothing listens there afterwards.
    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
