using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace Bambuddy.EndToEnd.Tests;

/// <summary>The off-site copy against the AppHost's own S3 server (npm's s3rver, a real S3 implementation).</summary>
[Collection(SystemCollection.Name)]
public sealed class OffsiteCopyTests(SystemFixture system)
{
    [Fact]
    public async Task BackupIsCopiedToS3AndStillDownloadsWhenItsLocalCopyIsGone()
    {
        var ct = Timeouts.CallToken();
        var s3 = system.App.GetEndpoint("s3", "http");
        var settings = await system.PutSettingsAsync($$"""
            {"s3": {"enabled": true, "endpoint": "127.0.0.1:{{s3.Port}}", "bucket": "bambuddy-e2e", "prefix": "farm-1/",
                    "region": "us-east-1", "access_key": "S3RVER", "secret_key": "S3RVER", "use_tls": false} }
            """, ct);
        string? fileName = null;
        try
        {
            var run = await system.RunBackupAsync(ct);
            fileName = run.GetProperty("filename").GetString()!;
            File.Delete(Path.Combine(system.StateDirectory, "demo-data", "backups", fileName));
            var listed = (await system.Gateway.GetFromJsonAsync<JsonElement[]>("/api/v1/local-backup/backups", ct))!
                .Single(b => b.GetProperty("filename").GetString() == fileName);
            var bytes = await system.Gateway.GetByteArrayAsync($"/api/v1/local-backup/backups/{fileName}/download", ct);

            Assert.Equal(["local", "s3"], run.GetProperty("locations").EnumerateArray().Select(l => l.GetString()));
            Assert.True(settings.GetProperty("s3").GetProperty("has_secret_key").GetBoolean());
            Assert.False(settings.GetProperty("s3").TryGetProperty("secret_key", out _));
            Assert.Equal(["s3"], listed.GetProperty("locations").EnumerateArray().Select(l => l.GetString()));
            Assert.Equal(run.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }
        finally
        {
            if (fileName is not null)
            {
                (await system.Gateway.DeleteAsync($"/api/v1/local-backup/backups/{fileName}", ct)).Dispose();
            }

            await system.PutSettingsAsync("""{"s3": {"enabled": false}}""", ct);
        }
    }

    [Fact]
    public async Task UnreachableS3FailsOnlyTheOffsiteCopyAndSaysSo()
    {
        var ct = Timeouts.CallToken();
        await system.PutSettingsAsync($$"""
            {"s3": {"enabled": true, "endpoint": "127.0.0.1:{{FreePort()}}", "bucket": "bambuddy-e2e", "prefix": "",
                    "region": "us-east-1", "access_key": "S3RVER", "secret_key": "S3RVER", "use_tls": false} }
            """, ct);
        try
        {
            var run = await system.RunBackupAsync(ct);

            Assert.Equal(["local"], run.GetProperty("locations").EnumerateArray().Select(l => l.GetString()));
            Assert.Contains("off-site", run.GetProperty("message").GetString());
            Assert.Contains("unreachable", run.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await system.PutSettingsAsync("""{"s3": {"enabled": false}}""", ct);
        }
    }

    [Fact]
    public async Task EnablingS3WithoutItsKeysIsRefusedNamingTheField()
    {
        var ct = Timeouts.CallToken();

        using var response = await system.Gateway.PutAsync("/api/v1/local-backup/settings",
            new StringContent("""{"s3": {"enabled": true, "endpoint": "127.0.0.1:9", "bucket": "b-x-y"}}""", System.Text.Encoding.UTF8, "application/json"), ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("s3", problem.GetProperty("field").GetString());
    }



    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
