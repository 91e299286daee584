using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bambuddy.Contracts;

namespace Bambuddy.EndToEnd.Tests;

[Collection(SystemCollection.Name)]
public sealed class CancelTests(SystemFixture system)
{
    [Fact]
    public async Task CancellingAJobNoWorkerHasStartedEndsItCancelledAtOnce()
    {
        var ct = Timeouts.CallToken();
        var jobId = Guid.NewGuid();
        var command = JsonSerializer.Serialize(new CreateLocalBackup(jobId, JobKinds.DownloadBackup, Triggers.Manual, "", 5, DateTimeOffset.UtcNow));
        // Stamped as published, so neither the relay nor a worker will touch it during the test.
        await system.ExecuteSqlAsync("""
            INSERT INTO jobs (id, kind, trigger, state, published_at, command_type, command)
            VALUES ($1, 'download_backup', 'manual', 'queued', now(), 'CreateLocalBackup', $2::jsonb)
            """, ct, jobId, command);

        using var response = await system.Gateway.PostAsync($"/api/v1/jobs/{jobId}/cancel", null, ct);
        var job = await response.Content.ReadFromJsonAsync<JsonElement>(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("cancelled", job.GetProperty("state").GetString());
        Assert.Equal("cancelled", job.GetProperty("error").GetProperty("step").GetString());
    }

    [Fact]
    public async Task CancellingARunningJobAsksItsWorkerToStop()
    {
        var ct = Timeouts.CallToken();
        var jobId = Guid.NewGuid();
        await system.ExecuteSqlAsync("""
            INSERT INTO jobs (id, kind, trigger, state, published_at, started_at, last_report_at, command_type, command)
            VALUES ($1, 'safety_backup', 'restore', 'running', now(), now(), now(), 'CreateLocalBackup', '{}'::jsonb)
            """, ct, jobId);

        using var response = await system.Gateway.PostAsync($"/api/v1/jobs/{jobId}/cancel", null, ct);
        var job = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var flagged = await system.QueryScalarAsync<bool>("SELECT cancel_requested_at IS NOT NULL FROM jobs WHERE id = $1", ct, jobId);
        await system.ExecuteSqlAsync("UPDATE jobs SET state = 'failed', finished_at = now() WHERE id = $1", ct, jobId);

        // The worker sees the flag on its next progress tick and ends the job itself, cancelled.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("running", job.GetProperty("state").GetString());
        Assert.True(flagged);
    }

    [Fact]
    public async Task CancellingAnEndedJobIsAConflictAndChangesNothing()
    {
        var ct = Timeouts.CallToken();
        var ended = await system.RunBackupAsync(ct);
        var jobId = ended.GetProperty("job_id").GetGuid();

        using var response = await system.Gateway.PostAsync($"/api/v1/jobs/{jobId}/cancel", null, ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var job = await system.GetJobAsync(jobId, ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.False(problem.GetProperty("success").GetBoolean());
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
    }

    [Fact]
    public async Task CancellingAnUnknownJobIsA404()
    {
        var ct = Timeouts.CallToken();

        using var response = await system.Gateway.PostAsync($"/api/v1/jobs/{Guid.NewGuid()}/cancel", null, ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
