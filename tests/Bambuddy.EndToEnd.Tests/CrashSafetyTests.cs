using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
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
        // (Progress is not counted: its events may still be arriving; a second run would show as a second completion.)
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

    [Fact]
    public async Task PackagerKilledMidBackupListsNoPartialBackupAndTheRedeliveredCommandCompletes()
    {
        var ct = Timeouts.For(TimeSpan.FromMinutes(3));
        var before = await ListBackupNamesAsync(ct);
        Directory.CreateDirectory(Path.Combine(system.StateDirectory, "packager"));
        await File.WriteAllTextAsync(Path.Combine(system.StateDirectory, "packager", "kill-at-writing"), "", ct);

        using var started = await system.Gateway.PostAsync("/api/v1/local-backup/run", null, ct);
        var jobId = (await started.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("job_id").GetGuid();
        await system.App.ResourceNotifications.WaitForResourceAsync("archive-packager", KnownResourceStates.TerminalStates, ct);

        // Killed with its .partial file half-written: nothing new is listed, and the job is still running.
        var output = Path.Combine(system.StateDirectory, "demo-data", "backups");
        Assert.Contains(Directory.EnumerateFiles(output), f => f.EndsWith(".partial", StringComparison.Ordinal));
        Assert.Equal(before, await ListBackupNamesAsync(ct));
        Assert.Equal("running", (await system.GetJobAsync(jobId, ct)).GetProperty("state").GetString());

        await system.App.ResourceCommands.ExecuteCommandAsync("archive-packager", KnownResourceCommands.StartCommand, ct);
        await system.App.ResourceNotifications.WaitForResourceHealthyAsync("archive-packager", ct);
        var job = await system.WaitForJobStateAsync(jobId, Ended, ct);

        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var fileName = job.GetProperty("result").GetProperty("filename").GetString()!;
        var after = await ListBackupNamesAsync(ct);
        Assert.Single(after, name => name == fileName);
        Assert.All(after.Where(name => name != fileName), name => Assert.Contains(name, before));
        Assert.True(File.Exists(Path.Combine(output, fileName)));

        // The killed attempt's .partial is never listed; the packager removes such leftovers once they are 10 minutes stale.
        Assert.DoesNotContain(after, name => name.EndsWith(".partial", StringComparison.Ordinal));
    }

    private async Task<List<string>> ListBackupNamesAsync(CancellationToken ct) =>
        (await system.Gateway.GetFromJsonAsync<JsonElement[]>("/api/v1/local-backup/backups", ct))!
            .Select(b => b.GetProperty("filename").GetString()!).ToList();

    private async Task<JsonElement> RunAndWaitAsync(CancellationToken ct)
    {
        using var response = await system.Gateway.PostAsync("/api/v1/local-backup/run?wait=true", null, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.True(response.IsSuccessStatusCode, body.GetRawText());
        return await system.GetJobAsync(body.GetProperty("job_id").GetGuid(), ct);
    }
}
