using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using Bambuddy.Core.Secrets;
using Bambuddy.Scheduler.GitBackups;
using Bambuddy.Scheduler.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Bambuddy.Scheduler.Apis;

/// <summary>Bambuddy's git-backup endpoints (<c>/github-backup</c>), in its shapes plus ours (DESIGN §6, §7).</summary>
public static class GitBackupApi
{
    private static readonly string[] GitBackupKinds = [JobKinds.GitBackup];

    public static IEndpointRouteBuilder MapGitBackupApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/github-backup").WithTags("Git backup");
        api.MapGet("/config", GetGitBackupConfig).WithName(nameof(GetGitBackupConfig));
        api.MapPost("/config", CreateGitBackupConfig).WithName(nameof(CreateGitBackupConfig));
        api.MapPatch("/config", UpdateGitBackupConfig).WithName(nameof(UpdateGitBackupConfig));
        api.MapDelete("/config", DeleteGitBackupConfig).WithName(nameof(DeleteGitBackupConfig));
        api.MapPost("/test", TestGitConnection).WithName(nameof(TestGitConnection));
        api.MapPost("/test-stored", TestStoredGitConnection).WithName(nameof(TestStoredGitConnection));
        api.MapPost("/run", RunGitBackup).WithName(nameof(RunGitBackup));
        api.MapGet("/status", GetGitBackupStatus).WithName(nameof(GetGitBackupStatus));
        api.MapGet("/logs", ListGitBackupLogs).WithName(nameof(ListGitBackupLogs));
        api.MapDelete("/logs", DeleteGitBackupLogs).WithName(nameof(DeleteGitBackupLogs));
        return app;
    }

    /// <summary>The settings, or JSON <c>null</c> when there are none (as Bambuddy answers).</summary>
    public static async Task<IResult> GetGitBackupConfig(GitBackupConfigStore store, CancellationToken cancellationToken)
        => await store.GetAsync(cancellationToken) is { } config
            ? TypedResults.Ok(GitBackupConfigView.From(config))
            : TypedResults.Text("null", "application/json");

    /// <summary>Creates the settings or replaces them: fields left out take Bambuddy's defaults.</summary>
    public static async Task<Results<Ok<GitBackupConfigView>, ProblemHttpResult>> CreateGitBackupConfig(
        GitBackupConfigInput input, GitBackupConfigStore store, SecretProtector secrets, GitConnectionTester tester, IOptions<GitBackupOptions> options,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(input.RepositoryUrl))
        {
            return Invalid("repository_url", "repository_url is required.");
        }

        if (GitBackupValidation.CheckToken(input.AccessToken) is { } tokenProblem)
        {
            return Invalid("access_token", tokenProblem);
        }

        var current = await store.GetAsync(cancellationToken);
        var fresh = GitBackupConfig.New(input.RepositoryUrl, "") with { Id = current?.Id ?? 0 };
        return await SaveAsync(Apply(input, fresh, secrets), store, tester, options.Value, cancellationToken);
    }

    /// <summary>Changes any subset; without <c>access_token</c> the stored token stays.</summary>
    public static async Task<Results<Ok<GitBackupConfigView>, ProblemHttpResult>> UpdateGitBackupConfig(
        GitBackupConfigInput input, GitBackupConfigStore store, SecretProtector secrets, GitConnectionTester tester, IOptions<GitBackupOptions> options,
        CancellationToken cancellationToken)
    {
        if (await store.GetAsync(cancellationToken) is not { } current)
        {
            return NotConfigured(StatusCodes.Status404NotFound);
        }

        if (!string.IsNullOrEmpty(input.AccessToken) && GitBackupValidation.CheckToken(input.AccessToken) is { } tokenProblem)
        {
            return Invalid("access_token", tokenProblem);
        }

        return await SaveAsync(Apply(input, current, secrets), store, tester, options.Value, cancellationToken);
    }

    public static async Task<Results<Ok<Dictionary<string, object?>>, ProblemHttpResult>> DeleteGitBackupConfig(GitBackupConfigStore store, CancellationToken cancellationToken)
        => await store.DeleteAsync(cancellationToken)
            ? TypedResults.Ok(new Dictionary<string, object?> { ["success"] = true, ["message"] = "Git backup configuration deleted" })
            : NotConfigured(StatusCodes.Status404NotFound);

    /// <summary>Test Connection with settings not saved yet; the token comes in the JSON body, never the query string.</summary>
    public static async Task<IResult> TestGitConnection(
        GitTestRequest request, SecretProtector secrets, GitConnectionTester tester, IOptions<GitBackupOptions> options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.RepositoryUrl))
        {
            return Invalid("repository_url", "repository_url is required.");
        }

        if (GitBackupValidation.CheckToken(request.AccessToken) is { } tokenProblem)
        {
            return Invalid("access_token", tokenProblem);
        }

        var candidate = GitBackupConfig.New(request.RepositoryUrl.Trim(), secrets.Protect(request.AccessToken!.Trim())) with
        {
            Provider = request.Provider?.Trim().ToLowerInvariant() ?? "github",
            Branch = request.Branch?.Trim() ?? "main",
            AllowInsecureHttp = request.AllowInsecureHttp ?? false,
        };
        if (GitBackupValidation.Check(candidate) is (var field, var reason))
        {
            return Invalid(field, reason);
        }

        return TestAnswer(await tester.TestAsync(candidate.Target, options.Value.TestTimeout, cancellationToken), options.Value.TestTimeout);
    }

    public static async Task<IResult> TestStoredGitConnection(
        GitBackupConfigStore store, GitConnectionTester tester, IOptions<GitBackupOptions> options, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(cancellationToken) is not { } config)
        {
            return NotConfigured(StatusCodes.Status400BadRequest);
        }

        return TestAnswer(await tester.TestAsync(config.Target, options.Value.TestTimeout, cancellationToken), options.Value.TestTimeout);
    }

    /// <summary>Queues a git backup now; <c>?wait=true</c> answers when it has ended, in Bambuddy's shape plus <c>status</c>.</summary>
    public static async Task<IResult> RunGitBackup(
        bool? wait, GitBackupConfigStore store, GitBackupRuns runs, GitBackupLogStore logs, JobPublisher publisher, JobWaiter waiter, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(cancellationToken) is not { } config)
        {
            return NotConfigured(StatusCodes.Status400BadRequest);
        }

        if (!config.Enabled)
        {
            return JobResponses.Problem(StatusCodes.Status400BadRequest, "Git backup is disabled",
                "Git backup is disabled; enable it (PATCH /api/v1/github-backup/config with enabled: true) before running it.", new() { ["step"] = "config" });
        }

        var queued = await runs.QueueAsync(config, Triggers.Manual, cancellationToken);
        if (queued is not { JobId: { } jobId, LogId: { } logId })
        {
            var running = queued.ConflictingJobId!.Value;
            return JobResponses.Problem(StatusCodes.Status409Conflict, "A git backup is running",
                $"Git backup job {running} is still running; one git backup runs at a time.", new() { ["running_job_id"] = running, ["step"] = "queue" });
        }

        await publisher.PublishAsync(jobId, cancellationToken);
        if (wait != true)
        {
            return TypedResults.Accepted($"/api/v1/jobs/{jobId}", new GitRunAccepted(jobId, JobStates.Queued, logId));
        }

        var job = await waiter.WaitForEndAsync(jobId, cancellationToken);
        return RunAnswer(job, logId);
    }

    public static async Task<Ok<GitBackupStatus>> GetGitBackupStatus(GitBackupConfigStore store, JobStore jobs, CancellationToken cancellationToken)
    {
        var config = await store.GetAsync(cancellationToken);
        var running = await jobs.GetLatestAsync(GitBackupKinds, endedOnly: false, cancellationToken);
        return TypedResults.Ok(new GitBackupStatus(
            config is not null, config?.Enabled ?? false, running is not null, running?.Progress.Phase,
            config?.LastBackupAt, config?.LastBackupStatus, config?.NextScheduledRun, running?.JobId));
    }

    /// <summary>A bare array, newest first.</summary>
    public static async Task<Results<Ok<IReadOnlyList<GitBackupLog>>, ProblemHttpResult>> ListGitBackupLogs(
        int? limit, int? offset, GitBackupLogStore logs, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 1000)
        {
            return Invalid("limit", $"limit must be between 1 and 1000, got {limit}.");
        }

        if (offset is < 0)
        {
            return Invalid("offset", $"offset must be 0 or more, got {offset}.");
        }

        return TypedResults.Ok(await logs.ListAsync(limit ?? 50, offset ?? 0, cancellationToken));
    }

    public static async Task<Results<Ok<Dictionary<string, object?>>, ProblemHttpResult>> DeleteGitBackupLogs(
        [FromQuery(Name = "keep_last")] int? keepLast, GitBackupLogStore logs, CancellationToken cancellationToken)
    {
        if (keepLast is < 0)
        {
            return Invalid("keep_last", $"keep_last must be 0 or more, got {keepLast}.");
        }

        var deleted = await logs.DeleteAsync(keepLast ?? 10, cancellationToken);
        return TypedResults.Ok(new Dictionary<string, object?> { ["deleted"] = deleted, ["message"] = $"Deleted {deleted} log entries" });
    }

    /// <summary>Validates, checks privacy when enabled (DESIGN §6: a public repository is refused), then saves.</summary>
    private static async Task<Results<Ok<GitBackupConfigView>, ProblemHttpResult>> SaveAsync(
        GitBackupConfig next, GitBackupConfigStore store, GitConnectionTester tester, GitBackupOptions options, CancellationToken cancellationToken)
    {
        if (GitBackupValidation.Check(next) is (var field, var reason))
        {
            return Invalid(field, reason);
        }

        // The candidate is tested before it is stored, so a refused change is never visible to a run.
        string? warning = null;
        if (next.Enabled)
        {
            var (testJobId, ended) = await tester.TestAsync(next.Target, options.PrivacyCheckTimeout, cancellationToken);
            var verdict = GitConnectionTester.Judge(ended, options.PrivacyCheckTimeout);
            if (verdict.IsPublic)
            {
                return JobResponses.Problem(StatusCodes.Status422UnprocessableEntity, "Repository is public",
                    "repository is public; exported data is personal. Make the repository private, then save again; nothing was saved.",
                    new() { ["field"] = "repository_url", ["step"] = "privacy", ["job_id"] = testJobId, ["errors"] = Errors("repository_url", "The repository is public.") });
            }

            warning = verdict.Warning;
        }

        return TypedResults.Ok(GitBackupConfigView.From(await store.SaveAsync(next, cancellationToken)) with { Warning = warning });
    }

    private static GitBackupConfig Apply(GitBackupConfigInput input, GitBackupConfig current, SecretProtector secrets) => current with
    {
        Provider = input.Provider?.Trim().ToLowerInvariant() ?? current.Provider,
        RepositoryUrl = input.RepositoryUrl?.Trim() ?? current.RepositoryUrl,
        ProtectedAccessToken = string.IsNullOrEmpty(input.AccessToken) ? current.ProtectedAccessToken : secrets.Protect(input.AccessToken.Trim()),
        Branch = input.Branch?.Trim() ?? current.Branch,
        AllowInsecureHttp = input.AllowInsecureHttp ?? current.AllowInsecureHttp,
        ScheduleEnabled = input.ScheduleEnabled ?? current.ScheduleEnabled,
        ScheduleType = input.ScheduleType?.Trim().ToLowerInvariant() ?? current.ScheduleType,
        BackupKprofiles = input.BackupKprofiles ?? current.BackupKprofiles,
        BackupCloudProfiles = input.BackupCloudProfiles ?? current.BackupCloudProfiles,
        BackupSettings = input.BackupSettings ?? current.BackupSettings,
        BackupSpools = input.BackupSpools ?? current.BackupSpools,
        BackupArchives = input.BackupArchives ?? current.BackupArchives,
        Enabled = input.Enabled ?? current.Enabled,
    };

    private static IResult TestAnswer((Guid JobId, Job? Ended) test, TimeSpan timeout)
    {
        if (test.Ended is not { } job)
        {
            return JobResponses.Problem(StatusCodes.Status504GatewayTimeout, "No answer from the git-sync worker",
                $"The git-sync worker did not answer within {timeout.TotalSeconds:0} s; is it running?", new() { ["job_id"] = test.JobId, ["step"] = "queue" });
        }

        if (job.State != JobStates.Succeeded || job.Result is null)
        {
            return JobResponses.Outcome(job, "");
        }

        var body = new Dictionary<string, object?>();
        foreach (var (key, value) in job.Result)
        {
            body[key] = value?.DeepClone();
        }

        body["job_id"] = job.JobId;
        return TypedResults.Ok(body);
    }

    private static IResult RunAnswer(Job job, long logId)
    {
        if (job.State == JobStates.Succeeded && job.Result is { } result)
        {
            var status = result["status"]?.GetValue<string>() ?? "success";
            return TypedResults.Ok(new Dictionary<string, object?>
            {
                ["success"] = status != "failed",
                ["message"] = result["message"]?.GetValue<string>() ?? "",
                ["log_id"] = logId,
                ["commit_sha"] = result["commit_sha"]?.GetValue<string>(),
                ["files_changed"] = result["files_changed"]?.GetValue<int>() ?? 0,
                ["status"] = status,
                ["job_id"] = job.JobId,
            });
        }

        var reason = job.Error?.Reason ?? "the job ended without a reason";
        var code = job.State == JobStates.Cancelled ? StatusCodes.Status409Conflict
            : job.Error?.Step is "config" or "privacy" ? StatusCodes.Status422UnprocessableEntity
            : StatusCodes.Status500InternalServerError;
        return JobResponses.Problem(code, job.State == JobStates.Cancelled ? "The git backup was cancelled" : "The git backup failed", reason, new()
        {
            ["job_id"] = job.JobId, ["log_id"] = logId, ["step"] = job.Error?.Step, ["state"] = job.State,
            ["status"] = "failed", ["commit_sha"] = null, ["files_changed"] = 0,
        });
    }

    private static ProblemHttpResult NotConfigured(int status)
        => JobResponses.Problem(status, "Git backup is not configured",
            "Git backup is not configured; save the settings first (POST /api/v1/github-backup/config).", new() { ["step"] = "config" });

    private static ProblemHttpResult Invalid(string field, string reason)
        => JobResponses.Problem(StatusCodes.Status400BadRequest, $"Invalid {field}", reason,
            new() { ["field"] = field, ["step"] = "validate", ["errors"] = Errors(field, reason) });

    private static Dictionary<string, string[]> Errors(string field, string reason) => new() { [field] = [reason] };
}
