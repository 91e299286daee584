using System.Text.Json;
using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using Bambuddy.Scheduler.Apis;
using Bambuddy.Scheduler.GitBackups;
using Bambuddy.Scheduler.Jobs;
using Bambuddy.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bambuddy.Scheduler.Tests.GitBackups;

[Collection(PostgresCollection.Name)]
public sealed class GitBackupRunTests(PostgresServer server)
{
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RunWithWaitAnswersBambuddysShapeAndEndsTheLogAndTheSettings()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        await world.SaveConfigAsync(timeout.Token, c => c with { BackupSpools = true });
        var at = new DateTimeOffset(2026, 11, 25, 10, 0, 5, TimeSpan.Zero);
        world.GitSync.RunAnswer = jobId => new GitBackupCompleted(jobId, "success", "Backup pushed", Sha, 7, at);

        var answer = await Run(world, wait: true, timeout.Token);

        using var body = JsonDocument.Parse(JsonSerializer.Serialize(Assert.IsType<Ok<Dictionary<string, object?>>>(answer).Value, JobJson.Options));
        var root = body.RootElement;
        Assert.True(root.GetProperty("success").GetBoolean());
        Assert.Equal("success", root.GetProperty("status").GetString());
        Assert.Equal("Backup pushed", root.GetProperty("message").GetString());
        Assert.Equal(Sha, root.GetProperty("commit_sha").GetString());
        Assert.Equal(7, root.GetProperty("files_changed").GetInt32());
        var run = Assert.Single(world.GitSync.Runs);
        Assert.Equal(run.JobId, root.GetProperty("job_id").GetGuid());
        Assert.Equal((Triggers.Manual, true, true), (run.Trigger, run.Contents.Spools, run.Contents.KProfiles));
        Assert.Equal("ghp_secret", world.Secrets.Unprotect(run.Target.ProtectedAccessToken));
        var log = (await world.Logs.GetByJobAsync(run.JobId, timeout.Token))!;
        Assert.Equal(log.Id, root.GetProperty("log_id").GetInt64());
        Assert.Equal(("success", Sha, 7, (string?)null, at), (log.Status, log.CommitSha, log.FilesChanged, log.ErrorMessage, log.CompletedAt));
        Assert.Equal($"https://github.com/owner/repo/commit/{Sha}", log.CommitUrl);
        var config = (await world.Configs.GetAsync(timeout.Token))!;
        Assert.Equal((at, "success", "Backup pushed", Sha), (config.LastBackupAt, config.LastBackupStatus, config.LastBackupMessage, config.LastBackupCommitSha));
    }

    [Fact]
    public async Task UnchangedDataEndsSkippedWithoutACommit()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        await world.SaveConfigAsync(timeout.Token);
        world.GitSync.RunAnswer = jobId => new GitBackupCompleted(jobId, "skipped", "No changes since the last backup", null, 0, Start);

        var answer = await Run(world, wait: true, timeout.Token);

        var body = Assert.IsType<Ok<Dictionary<string, object?>>>(answer).Value!;
        Assert.Equal(("skipped", true), (body["status"], body["success"]));
        Assert.Null(body["commit_sha"]);
        var log = Assert.Single(await world.Logs.ListAsync(50, 0, timeout.Token));
        Assert.Equal("skipped", log.Status);
        Assert.Null(log.CommitUrl);
        Assert.Equal("skipped", (await world.Configs.GetAsync(timeout.Token))!.LastBackupStatus);
    }

    [Fact]
    public async Task AFailedRunAnswersAProblemNamingItsStepAndEndsTheLogFailed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        await world.SaveConfigAsync(timeout.Token);
        world.GitSync.RunAnswer = jobId => new GitBackupCompleted(jobId, "failed", "The remote rejected the push: protected branch", null, 0, Start, Step: "push");

        var answer = await Run(world, wait: true, timeout.Token);

        var problem = Assert.IsType<ProblemHttpResult>(answer);
        Assert.Equal(StatusCodes.Status500InternalServerError, problem.StatusCode);
        Assert.Equal(("push", false, "failed"), (problem.ProblemDetails.Extensions["step"], problem.ProblemDetails.Extensions["success"], problem.ProblemDetails.Extensions["status"]));
        var log = Assert.Single(await world.Logs.ListAsync(50, 0, timeout.Token));
        Assert.Equal(("failed", "The remote rejected the push: protected branch"), (log.Status, log.ErrorMessage));
        Assert.Equal("failed", (await world.Configs.GetAsync(timeout.Token))!.LastBackupStatus);
    }

    [Fact]
    public async Task ASecondRunWhileOneRunsIsAConflictNamingTheRunningJob()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        await world.SaveConfigAsync(timeout.Token);
        var first = Assert.IsType<Accepted<GitRunAccepted>>(await Run(world, wait: false, timeout.Token)).Value!;

        var second = await Run(world, wait: false, timeout.Token);

        var problem = Assert.IsType<ProblemHttpResult>(second);
        Assert.Equal(StatusCodes.Status409Conflict, problem.StatusCode);
        Assert.Equal(first.JobId, problem.ProblemDetails.Extensions["running_job_id"]);
        Assert.Single(await world.Logs.ListAsync(50, 0, timeout.Token));
    }

    [Fact]
    public async Task RunsRequestedTogetherQueueExactlyOne()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        var config = await world.SaveConfigAsync(timeout.Token);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => world.Runs.QueueAsync(config, Triggers.Manual, timeout.Token), timeout.Token)));

        var queued = Assert.Single(results, r => r.JobId is not null);
        Assert.All(results.Where(r => r.JobId is null), r => Assert.Equal(queued.JobId, r.ConflictingJobId));
        Assert.Equal(1L, await world.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE kind = 'git_backup'", timeout.Token));
        Assert.Equal(1L, await world.ScalarAsync<long>("SELECT count(*) FROM git_backup_logs", timeout.Token));
    }

    [Fact]
    public async Task AGitBackupRunsBesideALocalBackup()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        await world.SaveConfigAsync(timeout.Token);
        await world.ExecuteAsync("""
            INSERT INTO jobs (id, kind, trigger, state, command_type, command)
            VALUES (gen_random_uuid(), 'local_backup', 'manual', 'running', 'CreateLocalBackup', '{}')
            """, timeout.Token);

        var answer = await Run(world, wait: false, timeout.Token);

        Assert.IsType<Accepted<GitRunAccepted>>(answer);
    }

    [Fact]
    public async Task RunWithoutSettingsIsABadRequestSayingSo()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);

        var answer = await Run(world, wait: false, timeout.Token);

        var problem = Assert.IsType<ProblemHttpResult>(answer);
        Assert.Equal(StatusCodes.Status400BadRequest, problem.StatusCode);
        Assert.Contains("not configured", problem.ProblemDetails.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOfDisabledSettingsIsABadRequest()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        await world.SaveConfigAsync(timeout.Token, c => c with { Enabled = false });

        var answer = await Run(world, wait: false, timeout.Token);

        Assert.Equal(StatusCodes.Status400BadRequest, Assert.IsType<ProblemHttpResult>(answer).StatusCode);
        Assert.Empty(world.GitSync.Runs);
    }

    [Fact]
    public async Task StatusShowsTheRunningJobsProgressAndTheLastBackup()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        var config = await world.SaveConfigAsync(timeout.Token, c => c with { ScheduleEnabled = true });
        var queued = await world.Runs.QueueAsync(config, Triggers.Manual, timeout.Token);
        await world.Jobs.ReportProgressAsync(queued.JobId!.Value, new JobProgress("Exporting K-profiles...", 0, 0, 0, 0), timeout.Token);

        var running = (await GitBackupApi.GetGitBackupStatus(world.Configs, world.Jobs, timeout.Token)).Value!;
        await world.Logs.CompleteAsync(queued.JobId.Value, "success", "done", Sha, 1, Start, timeout.Token);
        await world.Jobs.SucceedAsync(queued.JobId.Value, new() { ["status"] = "success" }, [], timeout.Token);
        var after = (await GitBackupApi.GetGitBackupStatus(world.Configs, world.Jobs, timeout.Token)).Value!;

        Assert.Equal((true, true, true, "Exporting K-profiles..."), (running.Configured, running.Enabled, running.IsRunning, running.Progress));
        Assert.Equal(queued.JobId, running.RunningJobId);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 23, 0, 0, TimeSpan.Zero), running.NextScheduledRun);
        Assert.Equal((false, (string?)null, Start, "success"), (after.IsRunning, after.Progress, after.LastBackupAt, after.LastBackupStatus));
    }

    [Fact]
    public async Task StatusWithoutSettingsSaysNotConfigured()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);

        var status = (await GitBackupApi.GetGitBackupStatus(world.Configs, world.Jobs, timeout.Token)).Value!;

        Assert.Equal(new GitBackupStatus(false, false, false, null, null, null, null, null), status);
    }

    [Fact]
    public async Task ALogEndsFailedWhenItsWorkerIsLost()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        var config = await world.SaveConfigAsync(timeout.Token);
        var jobId = (await world.Runs.QueueAsync(config, Triggers.Scheduled, timeout.Token)).JobId!.Value;
        await world.Jobs.ReportProgressAsync(jobId, new JobProgress("Pushing...", 0, 0, 0, 0), timeout.Token);
        await world.ExecuteAsync($"UPDATE jobs SET last_report_at = now() - interval '6 minutes' WHERE id = '{jobId}'", timeout.Token);

        var lost = await world.Jobs.FailLostAsync(TimeSpan.FromMinutes(5), timeout.Token);

        Assert.Equal([jobId], lost);
        var log = (await world.Logs.GetByJobAsync(jobId, timeout.Token))!;
        Assert.Equal("failed", log.Status);
        Assert.NotNull(log.CompletedAt);
        Assert.Contains("worker lost", log.ErrorMessage, StringComparison.Ordinal);
        var stored = (await world.Configs.GetAsync(timeout.Token))!;
        Assert.Equal("failed", stored.LastBackupStatus);
        Assert.Contains("worker lost", stored.LastBackupMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALogEndsFailedWhenItsQueuedJobIsCancelled()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        var config = await world.SaveConfigAsync(timeout.Token);
        var jobId = (await world.Runs.QueueAsync(config, Triggers.Manual, timeout.Token)).JobId!.Value;

        await world.Jobs.RequestCancelAsync(jobId, timeout.Token);

        var log = (await world.Logs.GetByJobAsync(jobId, timeout.Token))!;
        Assert.Equal(("failed", "Cancelled before a worker started it."), (log.Status, log.ErrorMessage));
    }

    [Fact]
    public async Task ALateSuccessAfterTheWorkerWasDeclaredLostChangesNothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        var config = await world.SaveConfigAsync(timeout.Token);
        var jobId = (await world.Runs.QueueAsync(config, Triggers.Manual, timeout.Token)).JobId!.Value;
        await world.Jobs.FailAsync(jobId, "worker", "worker lost: no progress report for 5 minutes", cancelled: false, timeout.Token);

        var completed = await world.Logs.CompleteAsync(jobId, "success", "Backup pushed", Sha, 3, Start, timeout.Token);

        Assert.False(completed);
        var log = (await world.Logs.GetByJobAsync(jobId, timeout.Token))!;
        Assert.Equal(("failed", (string?)null), (log.Status, log.CommitSha));
        Assert.Equal("failed", (await world.Configs.GetAsync(timeout.Token))!.LastBackupStatus);
        Assert.Equal(JobStates.Failed, (await world.Jobs.GetAsync(jobId, timeout.Token))!.State);
    }

    [Fact]
    public async Task LogsAreListedNewestFirstAndPaged()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        var ids = await CompletedRunsAsync(world, 5, timeout.Token);

        var first = Ok(await GitBackupApi.ListGitBackupLogs(2, 0, world.Logs, timeout.Token));
        var second = Ok(await GitBackupApi.ListGitBackupLogs(2, 2, world.Logs, timeout.Token));
        var last = Ok(await GitBackupApi.ListGitBackupLogs(2, 4, world.Logs, timeout.Token));
        var all = Ok(await GitBackupApi.ListGitBackupLogs(null, null, world.Logs, timeout.Token));

        Assert.Equal(ids[^2..].Reverse(), first.Select(l => l.Id));
        Assert.Equal(ids[1..3].Reverse(), second.Select(l => l.Id));
        Assert.Equal([ids[0]], last.Select(l => l.Id));
        Assert.Equal(Enumerable.Reverse(ids), all.Select(l => l.Id));
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(1001, null)]
    [InlineData(null, -1)]
    public async Task LogPagingOutOfRangeIsRefused(int? limit, int? offset)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);

        var answer = await GitBackupApi.ListGitBackupLogs(limit, offset, world.Logs, timeout.Token);

        Assert.Equal(StatusCodes.Status400BadRequest, Assert.IsType<ProblemHttpResult>(answer.Result).StatusCode);
    }

    [Fact]
    public async Task DeletingLogsKeepsTheNewestAndNeverTheRunningOne()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        var ids = await CompletedRunsAsync(world, 5, timeout.Token);
        var running = (await world.Runs.QueueAsync((await world.Configs.GetAsync(timeout.Token))!, Triggers.Manual, timeout.Token)).LogId!.Value;

        var answer = Assert.IsType<Ok<Dictionary<string, object?>>>((await GitBackupApi.DeleteGitBackupLogs(2, world.Logs, timeout.Token)).Result).Value!;
        var none = await world.Logs.DeleteAsync(0, timeout.Token);

        Assert.Equal(4, answer["deleted"]);
        Assert.Equal(1, none);
        Assert.DoesNotContain(ids[^1], (await world.Logs.ListAsync(50, 0, timeout.Token)).Select(l => l.Id));
        Assert.Equal([running], (await world.Logs.ListAsync(50, 0, timeout.Token)).Select(l => l.Id));
    }

    [Theory]
    [InlineData("github", "https://github.com/owner/repo.git", "https://github.com/owner/repo/commit/")]
    [InlineData("gitlab", "https://gitlab.com/group/sub/project", "https://gitlab.com/group/sub/project/-/commit/")]
    [InlineData("gitea", "https://git.example.com/owner/repo", "https://git.example.com/owner/repo/commit/")]
    [InlineData("forgejo", "https://codeberg.org/owner/repo.git", "https://codeberg.org/owner/repo/commit/")]
    public async Task ListedLogsLinkTheirCommitAsTheProviderShowsIt(string provider, string url, string prefix)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        await world.SaveConfigAsync(timeout.Token, c => c with { Provider = provider, RepositoryUrl = url });
        await CompletedRunsAsync(world, 1, timeout.Token);

        var log = Assert.Single(Ok(await GitBackupApi.ListGitBackupLogs(null, null, world.Logs, timeout.Token)));

        Assert.Equal(prefix + log.CommitSha, log.CommitUrl);
        var json = JsonSerializer.Serialize(log, JobJson.Options);
        Assert.Contains("\"commit_url\":", json, StringComparison.Ordinal);
        Assert.Contains("\"config_id\":", json, StringComparison.Ordinal);
        Assert.Contains("\"error_message\":null", json, StringComparison.Ordinal);
    }

    private static Task<IResult> Run(GitBackupWorld world, bool wait, CancellationToken cancellationToken)
        => GitBackupApi.RunGitBackup(wait, world.Configs, world.Runs, world.Logs, world.Publisher, world.Waiter, cancellationToken);

    private static IReadOnlyList<GitBackupLog> Ok(Results<Ok<IReadOnlyList<GitBackupLog>>, ProblemHttpResult> answer)
        => Assert.IsType<Ok<IReadOnlyList<GitBackupLog>>>(answer.Result).Value!;

    /// <summary>Runs one after another, each ended by its worker's event as the consumer handles it; their log ids, oldest first.</summary>
    private static async Task<long[]> CompletedRunsAsync(GitBackupWorld world, int count, CancellationToken cancellationToken)
    {
        var config = await world.Configs.GetAsync(cancellationToken) ?? await world.SaveConfigAsync(cancellationToken);
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var queued = await world.Runs.QueueAsync(config, Triggers.Manual, cancellationToken);
            var sha = $"{i:x2}".PadRight(40, 'a');
            await world.Logs.CompleteAsync(queued.JobId!.Value, "success", "pushed", sha, 1, Start, cancellationToken);
            await world.Jobs.SucceedAsync(queued.JobId.Value, new() { ["status"] = "success" }, [], cancellationToken);
            ids.Add(queued.LogId!.Value);
        }

        return [.. ids];
    }
}
