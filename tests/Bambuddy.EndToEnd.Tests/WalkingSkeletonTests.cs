using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Bambuddy.EndToEnd.Tests;

[Collection(SystemCollection.Name)]
public sealed class WalkingSkeletonTests(SystemFixture system)
{
    [Fact]
    public async Task BackupRunThroughTheGatewayGoesFromQueuedToSucceeded()
    {
        var ct = Timeouts.CallToken();

        using var response = await system.Gateway.PostAsync("/api/v1/local-backup/run", null, ct);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var jobId = accepted.GetProperty("job_id").GetGuid();
        var job = await system.WaitForJobStateAsync(jobId, ["succeeded", "failed", "cancelled"], ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("queued", accepted.GetProperty("state").GetString());
        Assert.Equal($"/api/v1/jobs/{jobId}", response.Headers.Location?.OriginalString);
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal("local_backup", job.GetProperty("kind").GetString());
        Assert.Equal("manual", job.GetProperty("trigger").GetString());
        Assert.Equal(JsonValueKind.String, job.GetProperty("started_at").ValueKind);
        Assert.Equal(JsonValueKind.String, job.GetProperty("finished_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, job.GetProperty("error").ValueKind);
        foreach (var field in new[] { "phase", "bytes_done", "bytes_total", "entries_done", "entries_total" })
        {
            Assert.True(job.GetProperty("progress").TryGetProperty(field, out _), $"progress.{field} is missing");
        }
    }

    [Fact]
    public async Task BackupRunWithWaitAnswersSuccessWithTheJobId()
    {
        var ct = Timeouts.CallToken();

        using var response = await system.Gateway.PostAsync("/api/v1/local-backup/run?wait=true", null, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var job = await system.GetJobAsync(body.GetProperty("job_id").GetGuid(), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-key")]
    public async Task RequestWithoutTheRightKeyGets401AndQueuesNothing(string? key)
    {
        var ct = Timeouts.CallToken();
        using var client = system.AnonymousGateway();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", key);
        }

        var jobsBefore = await system.CountJobsAsync(ct);
        using var response = await client.PostAsync("/api/v1/local-backup/run", null, ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var jobsAfter = await system.CountJobsAsync(ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(problem.GetProperty("success").GetBoolean());
        Assert.Contains("X-API-Key", problem.GetProperty("detail").GetString());
        Assert.Equal(jobsBefore, jobsAfter);
    }

    [Fact]
    public async Task HealthAndOpenApiNeedNoKey()
    {
        var ct = Timeouts.CallToken();
        using var client = system.AnonymousGateway();

        using var health = await client.GetAsync("/health", ct);
        using var openApi = await client.GetAsync("/openapi/v1.json", ct);
        var document = await openApi.Content.ReadFromJsonAsync<JsonElement>(ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v1/local-backup/run", out _));
    }

    [Fact]
    public async Task UnknownJobIsA404ProblemWithAReason()
    {
        var ct = Timeouts.CallToken();

        using var response = await system.Gateway.GetAsync($"/api/v1/jobs/{Guid.NewGuid()}", ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(problem.GetProperty("success").GetBoolean());
        Assert.Contains("no job", problem.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
    }
}
