using System.Net.Http.Json;
using System.Text.Json;
using Bambuddy.Contracts;

namespace Bambuddy.EndToEnd.Tests;

[Collection(SystemCollection.Name)]
public sealed class CrashSafetyTests(SystemFixture system)
{
    private static readonly string[] Ended = ["succeeded", "failed", "cancelled"];

    [Fact]
    public async Task CommandRedeliveredForAFinishedJobChangesNothing()
    {
        var ct = Timeouts.CallToken();
        await using var observer = await BusObserver.StartAsync(system.MessagingConnectionString, ct);
        var finished = await RunAndWaitAsync(ct);
        var jobId = finished.GetProperty("job_id").GetGuid();

        await observer.Publisher.Publish(new CreateLocalBackup(jobId, JobKinds.LocalBackup, Triggers.Manual, "", 5, DateTimeOffset.UtcNow), ct);
        // A later job through the same queue: once it has ended, the redelivered one was handled too.
        await RunAndWaitAsync(ct);
        var after = await system.GetJobAsync(jobId, ct);

        // The scheduler's publish and ours went over the broker; only the first did any work.
        Assert.Equal(2, observer.Count(jobId, nameof(CreateLocalBackup)));
        Assert.Equal(1, observer.Count(jobId, nameof(BackupProgressed)));
        Assert.Equal(1, observer.Count(jobId, nameof(LocalBackupCompleted)));
        Assert.Equal(finished.GetProperty("finished_at").GetString(), after.GetProperty("finished_at").GetString());
        Assert.Equal(finished.GetProperty("result").GetRawText(), after.GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task JobSavedButNeverPublishedIsPublishedByTheRelayExactlyOnce()
    {
        var ct = Timeouts.CallToken();
        await using var observer = await BusObserver.StartAsync(system.MessagingConnectionString, ct);
        var jobId = Guid.NewGuid();
        var command = JsonSerializer.Serialize(new CreateLocalBackup(jobId, JobKinds.LocalBackup, Triggers.Scheduled, "", 5, DateTimeOffset.UtcNow));

        // What a scheduler that crashed between saving and publishing leaves behind.
        await system.ExecuteSqlAsync("""
            INSERT INTO jobs (id, kind, trigger, state, created_at, command_type, command)
            VALUES ($1, 'local_backup', 'scheduled', 'queued', now() - interval '1 minute', 'CreateLocalBackup', $2::jsonb)
            """, ct, jobId, command);
        var job = await system.WaitForJobStateAsync(jobId, Ended, ct);
        await RunAndWaitAsync(ct);

        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal(1, observer.Count(jobId, nameof(CreateLocalBackup)));
        Assert.Equal(1, observer.Count(jobId, nameof(LocalBackupCompleted)));
    }

    [Fact]
    public async Task JobWhoseWorkerIsLostEndsFailedWithThatReason()
    {
        var ct = Timeouts.CallToken();
        var jobId = Guid.NewGuid();
        var command = JsonSerializer.Serialize(new CreateLocalBackup(jobId, JobKinds.LocalBackup, Triggers.Manual, "", 5, DateTimeOffset.UtcNow));

        // A job a worker started, then died without another report for longer than the rule allows.
        await system.ExecuteSqlAsync("""
            INSERT INTO jobs (id, kind, trigger, state, created_at, started_at, published_at, last_report_at, command_type, command)
            VALUES ($1, 'local_backup', 'manual', 'running', now() - interval '7 minutes', now() - interval '7 minutes',
                    now() - interval '7 minutes', now() - interval '6 minutes', 'CreateLocalBackup', $2::jsonb)
            """, ct, jobId, command);
        var job = await system.WaitForJobStateAsync(jobId, Ended, ct);

        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.StartsWith("worker lost", job.GetProperty("error").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task RecentlyReportingJobIsNotDeclaredLost()
    {
        var ct = Timeouts.CallToken();
        var jobId = Guid.NewGuid();
        var command = JsonSerializer.Serialize(new CreateLocalBackup(jobId, JobKinds.LocalBackup, Triggers.Manual, "", 5, DateTimeOffset.UtcNow));
        await system.ExecuteSqlAsync("""
            INSERT INTO jobs (id, kind, trigger, state, created_at, started_at, published_at, last_report_at, command_type, command)
            VALUES ($1, 'safety_backup', 'restore', 'running', now() - interval '20 minutes', now() - interval '20 minutes',
                    now() - interval '20 minutes', now() - interval '4 minutes', 'CreateLocalBackup', $2::jsonb)
            """, ct, jobId, command);
        var lostJob = Guid.NewGuid();
        await system.ExecuteSqlAsync("""
            INSERT INTO jobs (id, kind, trigger, state, created_at, started_at, published_at, last_report_at, command_type, command)
            VALUES ($1, 'safety_backup', 'restore', 'running', now(), now(), now(), now() - interval '6 minutes', 'CreateLocalBackup', '{}'::jsonb)
            """, ct, lostJob);

        // Once the rule has failed the silent job, it has also looked at the one that reported 4 minutes ago.
        await system.WaitForJobStateAsync(lostJob, Ended, ct);
        var job = await system.GetJobAsync(jobId, ct);

        Assert.Equal("running", job.GetProperty("state").GetString());
        await system.ExecuteSqlAsync("UPDATE jobs SET state = 'failed', finished_at = now() WHERE id = $1", ct, jobId);
    }

    private async Task<JsonElement> RunAndWaitAsync(CancellationToken ct)
    {
        using var response = await system.Gateway.PostAsync("/api/v1/local-backup/run?wait=true", null, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.True(response.IsSuccessStatusCode, body.GetRawText());
        return await system.GetJobAsync(body.GetProperty("job_id").GetGuid(), ct);
    }
}
