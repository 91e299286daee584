using Bambuddy.GitSync.Repository;
using Bambuddy.GitSync.Tests.Support;
using Bambuddy.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Bambuddy.Core.Jobs;
using Bambuddy.GitSync.Model;

namespace Bambuddy.GitSync.Tests.Sync;

/// <summary>A self-signed HTTPS git server: refused by default, accepted only when the configuration says so.</summary>
public sealed class GitHttpsTests
{
    [Fact]
    public async Task ASelfSignedCertificateIsRefusedUnlessConfiguredAndThenThePushWorks()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        using var certificate = GitHttpServer.CreateSelfSignedCertificate();
        await using var server = await GitHttpServer.StartAsync(GitServerFixture.Token, ct, certificate);
        var url = await server.CreateBareRepositoryAsync("https", ct);
        Assert.StartsWith("https://127.0.0.1:", url, StringComparison.Ordinal);
        using var state = new TempDirectory();
        var tree = new SortedDictionary<string, byte[]>(StringComparer.Ordinal) { ["backup_metadata.json"] = "{}"u8.ToArray() };
        GitRepositorySync Sync(bool accept) => new(new WorkerPaths(state.Path), Options.Create(new GitSyncOptions { AcceptInvalidCertificates = accept }),
            TimeProvider.System, NullLogger<GitRepositorySync>.Instance);
        var remote = new GitRemote(url, "x-access-token");

        var refused = await Assert.ThrowsAsync<GitSyncException>(() => Sync(accept: false).SyncAsync(remote, "main", GitServerFixture.Token, tree, null, ct));
        var pushed = await Sync(accept: true).SyncAsync(remote, "main", GitServerFixture.Token, tree, null, ct);

        Assert.Equal(("clone", "tls"), (refused.Step, refused.Failure));
        Assert.Equal("success", pushed.Status);
        Assert.Equal(pushed.CommitSha, Assert.Single(await server.LogAsync("https", "main", ct)).Sha);
    }
}
