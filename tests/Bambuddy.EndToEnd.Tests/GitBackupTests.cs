using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Bambuddy.Testing;

namespace Bambuddy.EndToEnd.Tests;

/// <summary>
/// The git backup through the whole system — gateway, scheduler, RabbitMQ, the git-sync worker — into a real
/// smart-HTTP git server on loopback that checks the token.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class GitBackupTests(SystemFixture system)
{
    private const string Token = "e2e-git-token-5f1c0d9a";

    [Fact]
    public async Task BackupNowCommitsThenSkipsUnchangedDataAndAWrongTokenFailsCleanly()
    {
        var ct = Timeouts.For(TimeSpan.FromMinutes(3));
        await using var git = await GitHttpServer.StartAsync(Token, ct);
        var url = await git.CreateBareRepositoryAsync("farm/backup", ct);

        var saved = await SendAsync(HttpMethod.Post, "/api/v1/github-backup/config", new
        {
            provider = "gitea",
            repository_url = url,
            access_token = Token,
            branch = "main",
            allow_insecure_http = true,
            backup_kprofiles = false,
            backup_cloud_profiles = false,
            backup_settings = true,
            backup_spools = true,
            backup_archives = true,
        }, ct);
        Assert.True(saved.Status is HttpStatusCode.OK or HttpStatusCode.Created, saved.Body.GetRawText());
        Assert.True(saved.Body.GetProperty("has_token").GetBoolean());

        var first = await SendAsync(HttpMethod.Post, "/api/v1/github-backup/run?wait=true", null, ct);
        Assert.True(first.Status == HttpStatusCode.OK, first.Body.GetRawText());
        Assert.Equal("success", first.Body.GetProperty("status").GetString());
        var sha = first.Body.GetProperty("commit_sha").GetString();
        var log = await git.LogAsync("farm/backup", "main", ct);
        Assert.Equal(sha, Assert.Single(log).Sha);
        Assert.StartsWith("Bambuddy backup - ", log[0].Subject, StringComparison.Ordinal);
        var tree = await git.ReadTreeAsync("farm/backup", "main", ct);
        Assert.Contains("backup_metadata.json", tree.Keys);
        Assert.Contains("settings/app_settings.json", tree.Keys);
        Assert.Contains("spools/inventory.json", tree.Keys);
        Assert.Contains("archives/print_history.json", tree.Keys);
        Assert.DoesNotContain(tree.Keys, k => k.StartsWith("kprofiles/", StringComparison.Ordinal));

        var second = await SendAsync(HttpMethod.Post, "/api/v1/github-backup/run?wait=true", null, ct);
        Assert.True(second.Status == HttpStatusCode.OK, second.Body.GetRawText());
        Assert.Equal("skipped", second.Body.GetProperty("status").GetString());
        Assert.Single(await git.LogAsync("farm/backup", "main", ct));

        var logs = await system.Gateway.GetFromJsonAsync<JsonElement[]>("/api/v1/github-backup/logs", ct);
        Assert.Equal(["skipped", "success"], logs!.Take(2).Select(l => l.GetProperty("status").GetString()));
        Assert.EndsWith($"/farm/backup/commit/{sha}", logs![1].GetProperty("commit_url").GetString(), StringComparison.Ordinal);

        var patched = await SendAsync(HttpMethod.Patch, "/api/v1/github-backup/config", new { access_token = "wrong-token" }, ct);
        Assert.True(patched.Status == HttpStatusCode.OK, patched.Body.GetRawText());
        var refused = await SendAsync(HttpMethod.Post, "/api/v1/github-backup/run?wait=true", null, ct);
        Assert.False(refused.Body.GetProperty("success").GetBoolean());
        Assert.Contains("401", refused.Body.GetRawText(), StringComparison.Ordinal);
        Assert.Single(await git.LogAsync("farm/backup", "main", ct));

        // The token is in no answer, no working clone's config and no commit.
        var config = await system.Gateway.GetStringAsync("/api/v1/github-backup/config", ct);
        Assert.DoesNotContain(Token, config, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, first.Body.GetRawText() + second.Body.GetRawText() + refused.Body.GetRawText(), StringComparison.Ordinal);
        foreach (var gitConfig in Directory.EnumerateFiles(system.StateDirectory, "config", SearchOption.AllDirectories).Where(p => p.Contains("/.git/", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain(Token, await File.ReadAllTextAsync(gitConfig, ct), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Token, Encoding.UTF8.GetString(await git.ReadAllObjectsAsync("farm/backup", ct)), StringComparison.Ordinal);
        await SendAsync(HttpMethod.Delete, "/api/v1/github-backup/config", null, ct);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await system.Gateway.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
