using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bambuddy.Contracts;
using Bambuddy.Testing;

namespace Bambuddy.Scheduler.Tests.GitBackups;

/// <summary>The routes as a client calls them: binding of bodies and queries, status codes, snake_case JSON.</summary>
[Collection(PostgresCollection.Name)]
public sealed class GitBackupHttpTests(PostgresServer server)
{
    private const string Token = "ghp_HttpSecret789";
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ConfigRoundTripsOverHttpWithoutEverShowingTheToken()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartHttpAsync(server, Start, timeout.Token);
        var http = world.Http!;

        var empty = await http.GetStringAsync("/api/v1/github-backup/config", timeout.Token);
        var created = await http.PostAsJsonAsync("/api/v1/github-backup/config",
            new Dictionary<string, object> { ["repository_url"] = "https://gitlab.com/group/project", ["provider"] = "gitlab", ["access_token"] = Token, ["backup_kprofiles"] = false },
            timeout.Token);
        var patched = await http.PatchAsJsonAsync("/api/v1/github-backup/config", new Dictionary<string, object> { ["schedule_enabled"] = true }, timeout.Token);
        var read = await http.GetStringAsync("/api/v1/github-backup/config", timeout.Token);

        Assert.Equal("null", empty);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        using var json = JsonDocument.Parse(read);
        Assert.Equal("gitlab", json.RootElement.GetProperty("provider").GetString());
        Assert.False(json.RootElement.GetProperty("backup_kprofiles").GetBoolean());
        Assert.True(json.RootElement.GetProperty("schedule_enabled").GetBoolean());
        Assert.True(json.RootElement.GetProperty("has_token").GetBoolean());
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 23, 0, 0, TimeSpan.Zero), json.RootElement.GetProperty("next_scheduled_run").GetDateTimeOffset());
        Assert.DoesNotContain(Token, read + await created.Content.ReadAsStringAsync(timeout.Token) + await patched.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidFieldIsAProblemJsonNamingIt()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartHttpAsync(server, Start, timeout.Token);

        var answer = await world.Http!.PostAsJsonAsync("/api/v1/github-backup/config",
            new Dictionary<string, object> { ["repository_url"] = "http://git.lan/o/r", ["provider"] = "gitea", ["access_token"] = Token }, timeout.Token);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(timeout.Token));
        Assert.True(json.RootElement.GetProperty("errors").TryGetProperty("allow_insecure_http", out _));
        Assert.False(json.RootElement.GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task TestRunStatusAndLogsAnswerOverHttp()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartHttpAsync(server, Start, timeout.Token);
        var http = world.Http!;
        world.GitSync.RunAnswer = jobId => new GitBackupCompleted(jobId, "success", "pushed", "c0ffee".PadRight(40, '0'), 4, Start);
        await world.SaveConfigAsync(timeout.Token);

        var test = await http.PostAsJsonAsync("/api/v1/github-backup/test",
            new Dictionary<string, object> { ["repository_url"] = "https://github.com/o/r", ["access_token"] = Token }, timeout.Token);
        var testStored = await http.PostAsync("/api/v1/github-backup/test-stored", null, timeout.Token);
        var run = await http.PostAsync("/api/v1/github-backup/run?wait=true", null, timeout.Token);
        var status = await http.GetStringAsync("/api/v1/github-backup/status", timeout.Token);
        var logs = await http.GetStringAsync("/api/v1/github-backup/logs?limit=1&offset=0", timeout.Token);
        var deleted = await http.DeleteAsync("/api/v1/github-backup/logs?keep_last=0", timeout.Token);

        Assert.Equal(HttpStatusCode.OK, test.StatusCode);
        Assert.True((await test.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("is_private").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, testStored.StatusCode);
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.Equal("success", (await run.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("status").GetString());
        using var statusJson = JsonDocument.Parse(status);
        Assert.Equal("success", statusJson.RootElement.GetProperty("last_backup_status").GetString());
        Assert.False(statusJson.RootElement.GetProperty("is_running").GetBoolean());
        using var logsJson = JsonDocument.Parse(logs);
        Assert.Equal("https://github.com/owner/repo/commit/" + "c0ffee".PadRight(40, '0'), logsJson.RootElement[0].GetProperty("commit_url").GetString());
        Assert.Equal(1, (await deleted.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("deleted").GetInt32());
    }

    [Fact]
    public async Task RunWithoutWaitIsAcceptedWithTheJobsLocation()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartHttpAsync(server, Start, timeout.Token);
        await world.SaveConfigAsync(timeout.Token);

        var answer = await world.Http!.PostAsync("/api/v1/github-backup/run", null, timeout.Token);
        var second = await world.Http!.PostAsync("/api/v1/github-backup/run", null, timeout.Token);

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        var body = await answer.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        var jobId = body.GetProperty("job_id").GetGuid();
        Assert.Equal($"/api/v1/jobs/{jobId}", answer.Headers.Location?.OriginalString);
        Assert.True(body.GetProperty("log_id").GetInt64() > 0);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal(jobId, (await second.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("running_job_id").GetGuid());
    }
}
