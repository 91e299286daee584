using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bambuddy.Contracts;
using Bambuddy.Core.Catalog;
using Bambuddy.Core.Jobs;
using Bambuddy.Core.Secrets;
using Bambuddy.Scheduler.LocalBackups;
using Bambuddy.Scheduler.Restores;
using Bambuddy.Testing;
using Npgsql;

namespace Bambuddy.Scheduler.Tests.Restores;

[Collection(PostgresCollection.Name)]
public sealed class RestoreJobTests(PostgresServer server)
{
    [Theory]
    [InlineData("bambuddy.db")]
    [InlineData("backup.zip")]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    [InlineData("bambuddy-backup-..%2Fx.zip")]
    [InlineData("bambuddy-backup-20260101-030000.tar")]
    public async Task StoredRestoreOfANameThatIsNotOursAnswers400(string filename)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);

        using var response = await host.Client.PostAsync($"/api/v1/local-backup/backups/{filename}/restore", null, timeout.Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False((await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("success").GetBoolean());
        Assert.Equal(0, await host.CountJobsAsync(timeout.Token));
    }

    [Fact]
    public async Task StoredRestoreOfAnUnknownBackupAnswers404()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        host.AddStoredBackup("bambuddy-backup-20250101-000000.zip");

        using var response = await host.Client.PostAsync($"/api/v1/local-backup/backups/{RestoreApiHost.StoredName}/restore", null, timeout.Token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, await host.CountJobsAsync(timeout.Token));
    }

    [Fact]
    public async Task StoredRestoreQueuesAJobNamingTheBackup()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        host.AddStoredBackup();

        using var response = await host.Client.PostAsync($"/api/v1/local-backup/backups/{RestoreApiHost.StoredName}/restore?allow_schema_loss=true", null, timeout.Token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        Assert.Equal("queued", accepted.GetProperty("state").GetString());
        var command = await host.CommandOfAsync(accepted.GetProperty("job_id").GetGuid(), timeout.Token);
        Assert.Equal((RestoreRequests.SourceStored, RestoreApiHost.StoredName), (command.SourceKind, command.Source));
        Assert.Equal((false, false, true), (command.Force, command.AllowOrphans, command.AllowSchemaLoss));
        Assert.Null(command.StoredCopy);
        Assert.Empty(host.SpoolFiles());
    }

    [Fact]
    public async Task StoredRestoreOfABackupWithAnS3CopyTellsTheWorkerWhereItIs()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        host.AddStoredBackup();
        var protectedSecret = host.Service<SecretProtector>().Protect("s3-secret");
        var settings = host.Service<LocalBackupSettingsStore>();
        await settings.SaveAsync(LocalBackupSettings.Defaults with
        {
            S3 = new S3Settings(true, "127.0.0.1:9", "bambuddy", "site-a/", "eu-central-1", "AKIDEXAMPLE", false, protectedSecret),
        }, timeout.Token);
        await host.Service<BackupCatalog>().AddAsync(new CatalogEntry(RestoreApiHost.StoredName, JobKinds.LocalBackup, null, 22,
            new string('a', 64), DateTimeOffset.UtcNow, host.BackupsFolder, ["local", "s3"]), timeout.Token);

        using var response = await host.Client.PostAsync($"/api/v1/local-backup/backups/{RestoreApiHost.StoredName}/restore", null, timeout.Token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var command = await host.CommandOfAsync((await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("job_id").GetGuid(), timeout.Token);
        Assert.Equal(new S3Location("127.0.0.1:9", "bambuddy", "site-a/", "eu-central-1", "AKIDEXAMPLE", protectedSecret, false), command.StoredCopy);
    }

    [Fact]
    public async Task RestoreWhileABackupIsQueuedAnswers409WithTheRunningJobAndKeepsNoUpload()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        host.AddStoredBackup();
        using var run = await host.Client.PostAsync("/api/v1/local-backup/run", null, timeout.Token);
        var backupJobId = (await run.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("job_id").GetGuid();
        using var body = RestoreApiHost.Upload(new byte[1024]);

        using var upload = await host.Client.PostAsync("/api/v1/restore", body, timeout.Token);
        using var stored = await host.Client.PostAsync($"/api/v1/local-backup/backups/{RestoreApiHost.StoredName}/restore?wait=true", null, timeout.Token);

        foreach (var response in new[] { upload, stored })
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
            Assert.Equal(backupJobId, problem.GetProperty("running_job_id").GetGuid());
            Assert.False(problem.GetProperty("success").GetBoolean());
        }

        Assert.Empty(host.SpoolFiles());
        Assert.Equal(1, await host.CountJobsAsync(timeout.Token));
    }

    [Fact]
    public async Task BackupQueuedWhileAnUploadStreamsWinsAndTheUploadIsDeletedWith409()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        Guid? backupJobId = null;
        // Half-way through the upload (past the early check), a backup is queued.
        var stream = new PatternStream(8 * 1024 * 1024, async (sent, ct) =>
        {
            if (sent >= 4 * 1024 * 1024 && backupJobId is null)
            {
                using var run = await host.Client.PostAsync("/api/v1/local-backup/run", null, ct);
                backupJobId = (await run.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("job_id").GetGuid();
            }
        });
        using var body = RestoreApiHost.Upload(new StreamContent(stream, 64 * 1024));

        using var response = await host.Client.PostAsync("/api/v1/restore", body, timeout.Token);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.NotNull(backupJobId);
        Assert.Equal(backupJobId, (await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("running_job_id").GetGuid());
        Assert.Empty(host.SpoolFiles());
        Assert.Equal(1, await host.CountJobsAsync(timeout.Token));
    }

    [Fact]
    public async Task SecondRestoreOrBackupWhileARestoreRunsAnswers409WithTheRestore()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        host.AddStoredBackup();
        using var first = await host.Client.PostAsync($"/api/v1/local-backup/backups/{RestoreApiHost.StoredName}/restore", null, timeout.Token);
        var restoreJobId = (await first.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("job_id").GetGuid();
        await host.Harness.Bus.Publish(new RestoreProgressed(restoreJobId, "validate", 0, 22, 0, 1, DateTimeOffset.UtcNow), timeout.Token);
        await WaitForStateAsync(host, restoreJobId, JobStates.Running, timeout.Token);
        using var body = RestoreApiHost.Upload(new byte[1024]);

        using var upload = await host.Client.PostAsync("/api/v1/settings/restore", body, timeout.Token);
        using var stored = await host.Client.PostAsync($"/api/v1/local-backup/backups/{RestoreApiHost.StoredName}/restore", null, timeout.Token);
        using var backup = await host.Client.PostAsync("/api/v1/local-backup/run", null, timeout.Token);

        foreach (var response in new[] { upload, stored, backup })
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal(restoreJobId, (await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("running_job_id").GetGuid());
        }

        Assert.Empty(host.SpoolFiles());
        Assert.Equal(1, await host.CountJobsAsync(timeout.Token));
    }

    [Theory]
    [InlineData("validate", true, 400)]
    [InlineData("schema", true, 422)]
    [InlineData("orphans", true, 422)]
    [InlineData("database", false, 500)]
    [InlineData("validate", false, 500)]
    public async Task WaitedRestoreThatFailsAnswersTheStatusOfItsStepAndKeepsTheStep(string step, bool refused, int status)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        host.AddStoredBackup();

        var answer = host.Client.PostAsync($"/api/v1/local-backup/backups/{RestoreApiHost.StoredName}/restore?wait=true", null, timeout.Token);
        var job = await host.WaitForRestoreJobAsync(timeout.Token);
        await host.Harness.Bus.Publish(new RestoreFailed(job.JobId, step, $"{step} went wrong", refused, DateTimeOffset.UtcNow), timeout.Token);
        using var response = await answer;

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        Assert.False(problem.GetProperty("success").GetBoolean());
        Assert.Equal(job.JobId, problem.GetProperty("job_id").GetGuid());
        Assert.Equal(step, problem.GetProperty("step").GetString());
        Assert.Equal($"{step} went wrong", problem.GetProperty("reason").GetString());
        Assert.Equal($"{step} went wrong", problem.GetProperty("message").GetString());
        Assert.Equal($"{step} went wrong", problem.GetProperty("detail").GetString());
        var ended = await host.Jobs.GetAsync(job.JobId, timeout.Token);
        Assert.Equal((JobStates.Failed, step), (ended!.State, ended.Error!.Step));
    }

    [Fact]
    public async Task BambuddysRestoreWaitsByDefaultAndAnswersSuccessWithRestartRequired()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        using var body = RestoreApiHost.Upload(new byte[4096]);

        var answer = host.Client.PostAsync("/api/v1/settings/restore", body, timeout.Token);
        var job = await host.WaitForRestoreJobAsync(timeout.Token);
        Assert.True(File.Exists(host.Spool.PathOf(job.JobId)));
        await host.Harness.Bus.Publish(new RestoreCompleted(job.JobId, "Restored 3 archives", ["The backup has no manifest."], DateTimeOffset.UtcNow), timeout.Token);
        using var response = await answer;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outcome = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        Assert.True(outcome.GetProperty("success").GetBoolean());
        Assert.Equal("Restored 3 archives", outcome.GetProperty("message").GetString());
        Assert.Equal(job.JobId, outcome.GetProperty("job_id").GetGuid());
        Assert.True(outcome.GetProperty("restart_required").GetBoolean());
        Assert.Equal(["The backup has no manifest."], outcome.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()));
        Assert.True(await host.Harness.Consumed.Any<RestoreCompleted>(timeout.Token));
        Assert.False(File.Exists(host.Spool.PathOf(job.JobId)));
        using var jobResponse = await host.Client.GetAsync($"/api/v1/jobs/{job.JobId}", timeout.Token);
        var read = await jobResponse.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        Assert.True(read.GetProperty("result").GetProperty("restart_required").GetBoolean());
    }

    [Fact]
    public async Task SpooledUploadIsDeletedWhenItsRestoreFails()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        using var body = RestoreApiHost.Upload(new byte[4096]);
        using var response = await host.Client.PostAsync("/api/v1/restore", body, timeout.Token);
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("job_id").GetGuid();
        Assert.True(File.Exists(host.Spool.PathOf(jobId)));

        await host.Harness.Bus.Publish(new RestoreFailed(jobId, "validate", "not a ZIP", Refused: true, DateTimeOffset.UtcNow), timeout.Token);

        Assert.True(await host.Harness.Consumed.Any<RestoreFailed>(m => m.Context.Message.JobId == jobId, timeout.Token));
        Assert.False(File.Exists(host.Spool.PathOf(jobId)));
        Assert.Empty(host.SpoolFiles());
    }

    [Fact]
    public async Task StatusSaysRestartRequiredAfterASucceededRestoreUntilABackupSucceedsAfterIt()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        host.AddStoredBackup();
        var before = await StatusAsync(host, timeout.Token);
        using var restore = await host.Client.PostAsync($"/api/v1/local-backup/backups/{RestoreApiHost.StoredName}/restore", null, timeout.Token);
        var restoreJobId = (await restore.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("job_id").GetGuid();
        await host.Jobs.SucceedAsync(restoreJobId, new JsonObject { ["message"] = "Restored" }, [], timeout.Token);

        var afterRestore = await StatusAsync(host, timeout.Token);
        using var run = await host.Client.PostAsync("/api/v1/local-backup/run", null, timeout.Token);
        var backupJobId = (await run.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("job_id").GetGuid();
        await host.Jobs.SucceedAsync(backupJobId, new JsonObject { ["message"] = "Backup created" }, [], timeout.Token);
        var afterBackup = await StatusAsync(host, timeout.Token);

        Assert.False(before.GetProperty("restart_required").GetBoolean());
        Assert.Equal(JsonValueKind.Null, before.GetProperty("last_restore_job_id").ValueKind);
        Assert.True(afterRestore.GetProperty("restart_required").GetBoolean());
        Assert.Equal(restoreJobId, afterRestore.GetProperty("last_restore_job_id").GetGuid());
        Assert.NotEqual(JsonValueKind.Null, afterRestore.GetProperty("last_restore_at").ValueKind);
        Assert.False(afterBackup.GetProperty("restart_required").GetBoolean());
        Assert.Equal(restoreJobId, afterBackup.GetProperty("last_restore_job_id").GetGuid());
    }

    [Fact]
    public async Task AFailedRestoreAfterASucceededOneStillAsksForTheRestart()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        host.AddStoredBackup();
        var succeeded = await QueueStoredRestoreAsync(host, timeout.Token);
        await host.Jobs.SucceedAsync(succeeded, new JsonObject(), [], timeout.Token);
        var failed = await QueueStoredRestoreAsync(host, timeout.Token);
        await host.Jobs.FailAsync(failed, "validate", "bad CRC", new JsonObject { ["refused"] = true }, timeout.Token);

        var status = await StatusAsync(host, timeout.Token);

        Assert.True(status.GetProperty("restart_required").GetBoolean());
        Assert.Equal(succeeded, status.GetProperty("last_restore_job_id").GetGuid());
    }

    [Fact]
    public async Task SafetyBackupRequestedTwiceCreatesTheChildJobOnceAndPublishesItOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        host.AddStoredBackup();
        var restoreJobId = await QueueStoredRestoreAsync(host, timeout.Token);
        var safetyJobId = (await host.CommandOfAsync(restoreJobId, timeout.Token)).SafetyBackupJobId;
        var request = new SafetyBackupRequested(restoreJobId, safetyJobId, "/mnt/nas/backups", DateTimeOffset.UtcNow);

        await host.Harness.Bus.Publish(request, timeout.Token);
        await host.Harness.Bus.Publish(request, timeout.Token);

        await RestoreUploadTests.WaitUntilAsync(() => host.Harness.Consumed.Select<SafetyBackupRequested>().Count() == 2, timeout.Token);
        Assert.DoesNotContain(host.Harness.Consumed.Select<SafetyBackupRequested>(), m => m.Exception is not null);
        Assert.Equal(1, await CountAsync(host, "SELECT count(*) FROM jobs WHERE id = $1", safetyJobId, timeout.Token));
        Assert.Equal(2, await host.CountJobsAsync(timeout.Token));
        var published = host.Harness.Published.Select<CreateLocalBackup>().Select(m => m.Context.Message).Where(m => m.JobId == safetyJobId).ToList();
        var command = Assert.Single(published);
        Assert.Equal((JobKinds.SafetyBackup, Triggers.Restore, "/mnt/nas/backups", 3), (command.Kind, command.Trigger, command.OutputPath, command.Retention));
        Assert.Null(command.OffsiteCopy);
        using var response = await host.Client.GetAsync($"/api/v1/jobs/{safetyJobId}", timeout.Token);
        var job = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        Assert.Equal(JobKinds.SafetyBackup, job.GetProperty("kind").GetString());
        Assert.Equal(Triggers.Restore, job.GetProperty("trigger").GetString());
        Assert.Equal(restoreJobId, job.GetProperty("parent_id").GetGuid());
    }

    [Fact]
    public async Task SafetyBackupOfAnUnknownRestoreIsIgnored()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        var request = new SafetyBackupRequested(Guid.CreateVersion7(), Guid.CreateVersion7(), "", DateTimeOffset.UtcNow);

        await host.Harness.Bus.Publish(request, timeout.Token);

        Assert.True(await host.Harness.Consumed.Any<SafetyBackupRequested>(timeout.Token));
        Assert.DoesNotContain(host.Harness.Consumed.Select<SafetyBackupRequested>(), m => m.Exception is not null);
        Assert.Equal(0, await host.CountJobsAsync(timeout.Token));
    }

    [Fact]
    public async Task OpenApiDocumentListsTheThreeRestoreEndpointsWithTheirOptions()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);

        using var response = await host.Client.GetAsync("/openapi/v1.json", timeout.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = (await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("paths");
        foreach (var path in new[] { "/api/v1/restore", "/api/v1/settings/restore", "/api/v1/local-backup/backups/{filename}/restore" })
        {
            var parameters = paths.GetProperty(path).GetProperty("post").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
            Assert.Subset(new HashSet<string?>(parameters), new HashSet<string?> { "wait", "force", "allow_orphans", "allow_schema_loss" });
        }

        foreach (var path in new[] { "/api/v1/restore", "/api/v1/settings/restore" })
        {
            var schema = paths.GetProperty(path).GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data").GetProperty("schema");
            Assert.Equal("binary", schema.GetProperty("properties").GetProperty("file").GetProperty("format").GetString());
        }
    }

    private static async Task<Guid> QueueStoredRestoreAsync(RestoreApiHost host, CancellationToken cancellationToken)
    {
        using var response = await host.Client.PostAsync($"/api/v1/local-backup/backups/{RestoreApiHost.StoredName}/restore", null, cancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("job_id").GetGuid();
    }

    private static async Task<JsonElement> StatusAsync(RestoreApiHost host, CancellationToken cancellationToken)
    {
        using var response = await host.Client.GetAsync("/api/v1/local-backup/status", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    private static async Task WaitForStateAsync(RestoreApiHost host, Guid jobId, string state, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while ((await host.Jobs.GetAsync(jobId, cancellationToken))?.State != state)
        {
            await timer.WaitForNextTickAsync(cancellationToken);
        }
    }

    private static async Task<long> CountAsync(RestoreApiHost host, string sql, Guid id, CancellationToken cancellationToken)
    {
        await using var command = host.Service<NpgsqlDataSource>().CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
