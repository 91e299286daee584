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
public sealed class GitBackupConfigApiTests(PostgresServer server)
{
    private const string Token = "ghp_TopSecretToken123";
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task GetWithoutSettingsAnswersJsonNull()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);

        var answer = await GitBackupApi.GetGitBackupConfig(world.Configs, timeout.Token);

        var text = Assert.IsType<ContentHttpResult>(answer);
        Assert.Equal("null", text.ResponseContent);
        Assert.Equal("application/json", text.ContentType);
    }

    [Fact]
    public async Task CreatedSettingsReadBackWithBambuddysDefaultsAndOnlyHasToken()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);

        var created = await CreateAsync(world, new GitBackupConfigInput(RepositoryUrl: "https://github.com/owner/repo", AccessToken: Token), timeout.Token);

        var read = Assert.IsType<Ok<GitBackupConfigView>>(await GitBackupApi.GetGitBackupConfig(world.Configs, timeout.Token)).Value!;
        Assert.Equal(created.Value, read);
        Assert.Equal(("github", "main", "daily"), (read.Provider, read.Branch, read.ScheduleType));
        Assert.Equal((true, true, false, false, false), (read.BackupKprofiles, read.BackupCloudProfiles, read.BackupSettings, read.BackupSpools, read.BackupArchives));
        Assert.True(read.HasToken);
        Assert.True(read.Enabled);
        Assert.False(read.ScheduleEnabled);
        Assert.False(read.AllowInsecureHttp);
        Assert.Null(read.NextScheduledRun);
        Assert.Null(created.Value!.Warning);
        var json = JsonSerializer.Serialize(read, JobJson.Options);
        Assert.DoesNotContain(Token, json, StringComparison.Ordinal);
        Assert.DoesNotContain("access_token", json, StringComparison.Ordinal);
        Assert.Contains("\"backup_kprofiles\":true", json, StringComparison.Ordinal);
        Assert.Contains("\"has_token\":true", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenIsStoredEncryptedNeverAsGiven()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);

        await CreateAsync(world, new GitBackupConfigInput(RepositoryUrl: "https://github.com/owner/repo", AccessToken: Token), timeout.Token);

        var raw = await world.ScalarAsync<string>("SELECT access_token_protected FROM git_backup_config", timeout.Token);
        Assert.NotNull(raw);
        Assert.DoesNotContain(Token, raw, StringComparison.Ordinal);
        Assert.Equal(Token, world.Secrets.Unprotect(raw));
        var everything = await world.ScalarAsync<string>("SELECT row_to_json(c)::text FROM git_backup_config c", timeout.Token);
        Assert.DoesNotContain(Token, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PatchWithoutTokenKeepsTheStoredTokenAndChangesOnlyWhatWasGiven()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        var created = await CreateAsync(world, new GitBackupConfigInput(RepositoryUrl: "https://github.com/owner/repo", AccessToken: Token, BackupSpools: true), timeout.Token);
        var before = await world.ScalarAsync<string>("SELECT access_token_protected FROM git_backup_config", timeout.Token);

        var patched = await PatchAsync(world, new GitBackupConfigInput(Branch: "backups", ScheduleEnabled: true, ScheduleType: "weekly"), timeout.Token);

        var view = patched.Value!;
        Assert.Equal(("backups", true, "weekly"), (view.Branch, view.ScheduleEnabled, view.ScheduleType));
        Assert.True(view.BackupSpools);
        Assert.Equal(created.Value!.Id, view.Id);
        Assert.Equal(created.Value.CreatedAt, view.CreatedAt);
        Assert.True(view.HasToken);
        Assert.Equal(before, await world.ScalarAsync<string>("SELECT access_token_protected FROM git_backup_config", timeout.Token));
        // Sunday 00:00 in Berlin is Saturday 23:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 23, 0, 0, TimeSpan.Zero), view.NextScheduledRun);
    }

    [Fact]
    public async Task PatchWithANewTokenReplacesIt()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        await CreateAsync(world, new GitBackupConfigInput(RepositoryUrl: "https://github.com/owner/repo", AccessToken: Token), timeout.Token);

        await PatchAsync(world, new GitBackupConfigInput(AccessToken: "ghp_Rotated456"), timeout.Token);

        var raw = await world.ScalarAsync<string>("SELECT access_token_protected FROM git_backup_config", timeout.Token);
        Assert.Equal("ghp_Rotated456", world.Secrets.Unprotect(raw!));
    }

    [Fact]
    public async Task PostReplacesEarlierSettingsKeepingTheirId()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        var first = await CreateAsync(world, new GitBackupConfigInput(RepositoryUrl: "https://github.com/owner/repo", AccessToken: Token, BackupArchives: true), timeout.Token);

        var second = await CreateAsync(world, new GitBackupConfigInput(Provider: "gitlab", RepositoryUrl: "https://gitlab.com/group/project", AccessToken: "glpat-x"), timeout.Token);

        Assert.Equal(first.Value!.Id, second.Value!.Id);
        Assert.Equal("gitlab", second.Value.Provider);
        Assert.False(second.Value.BackupArchives);
        Assert.Equal(1L, await world.ScalarAsync<long>("SELECT count(*) FROM git_backup_config", timeout.Token));
    }

    [Fact]
    public async Task PatchBeforeAnySettingsIsNotFound()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);

        var answer = await GitBackupApi.UpdateGitBackupConfig(new GitBackupConfigInput(Branch: "x"), world.Configs, world.Secrets, world.Tester, world.Options, timeout.Token);

        Assert.Equal(StatusCodes.Status404NotFound, Assert.IsType<ProblemHttpResult>(answer.Result).StatusCode);
    }

    [Theory]
    [InlineData(null, Token, null, null, null, "repository_url")]
    [InlineData("https://github.com/owner/repo", null, null, null, null, "access_token")]
    [InlineData("http://git.lan/owner/repo", Token, "gitea", null, null, "allow_insecure_http")]
    [InlineData("https://github.com/owner/repo", Token, "svn", null, null, "provider")]
    [InlineData("git@github.com:owner/repo.git", Token, null, null, null, "repository_url")]
    [InlineData("https://github.com/owner", Token, null, null, null, "repository_url")]
    [InlineData("https://github.com/owner/repo", Token, null, "a..b", null, "branch")]
    [InlineData("https://github.com/owner/repo", Token, null, null, "monthly", "schedule_type")]
    public async Task InvalidSettingsAreRefusedNamingTheFieldAndNothingIsSaved(string? url, string? token, string? provider, string? branch, string? scheduleType, string field)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);

        var answer = await GitBackupApi.CreateGitBackupConfig(
            new GitBackupConfigInput(Provider: provider, RepositoryUrl: url, AccessToken: token, Branch: branch, ScheduleType: scheduleType),
            world.Configs, world.Secrets, world.Tester, world.Options, timeout.Token);

        var problem = Assert.IsType<ProblemHttpResult>(answer.Result);
        Assert.Equal(StatusCodes.Status400BadRequest, problem.StatusCode);
        Assert.Equal(field, problem.ProblemDetails.Extensions["field"]);
        var errors = Assert.IsType<Dictionary<string, string[]>>(problem.ProblemDetails.Extensions["errors"]);
        Assert.Equal([field], errors.Keys);
        Assert.Equal(false, problem.ProblemDetails.Extensions["success"]);
        Assert.DoesNotContain(Token, JsonSerializer.Serialize(problem.ProblemDetails, JobJson.Options), StringComparison.Ordinal);
        Assert.Null(await world.Configs.GetAsync(timeout.Token));
        Assert.Empty(world.GitSync.Tested);
    }

    [Fact]
    public async Task InvalidPatchLeavesTheStoredSettingsAsTheyWere()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        var created = await CreateAsync(world, new GitBackupConfigInput(RepositoryUrl: "https://github.com/owner/repo", AccessToken: Token), timeout.Token);

        var answer = await GitBackupApi.UpdateGitBackupConfig(new GitBackupConfigInput(Provider: "gitlab"), world.Configs, world.Secrets, world.Tester, world.Options, timeout.Token);

        Assert.Equal("repository_url", Assert.IsType<ProblemHttpResult>(answer.Result).ProblemDetails.Extensions["field"]);
        Assert.Equal(created.Value, GitBackupConfigView.From((await world.Configs.GetAsync(timeout.Token))!));
    }

    [Fact]
    public async Task APublicRepositoryIsRefusedAtSaveAndNothingIsKept()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        world.GitSync.IsPrivate = false;

        var answer = await GitBackupApi.CreateGitBackupConfig(new GitBackupConfigInput(RepositoryUrl: "https://github.com/owner/repo", AccessToken: Token),
            world.Configs, world.Secrets, world.Tester, world.Options, timeout.Token);

        var problem = Assert.IsType<ProblemHttpResult>(answer.Result);
        Assert.Equal(StatusCodes.Status422UnprocessableEntity, problem.StatusCode);
        Assert.Contains("repository is public; exported data is personal", problem.ProblemDetails.Detail, StringComparison.Ordinal);
        Assert.Equal("privacy", problem.ProblemDetails.Extensions["step"]);
        Assert.Null(await world.Configs.GetAsync(timeout.Token));
    }

    [Fact]
    public async Task PatchPointingAtAPublicRepositoryKeepsThePreviousSettings()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        var created = await CreateAsync(world, new GitBackupConfigInput(RepositoryUrl: "https://github.com/owner/private-repo", AccessToken: Token), timeout.Token);
        world.GitSync.IsPrivate = false;

        var answer = await GitBackupApi.UpdateGitBackupConfig(new GitBackupConfigInput(RepositoryUrl: "https://github.com/owner/public-repo"),
            world.Configs, world.Secrets, world.Tester, world.Options, timeout.Token);

        Assert.Equal(StatusCodes.Status422UnprocessableEntity, Assert.IsType<ProblemHttpResult>(answer.Result).StatusCode);
        Assert.Equal("https://github.com/owner/private-repo", (await world.Configs.GetAsync(timeout.Token))!.RepositoryUrl);
        Assert.Equal(created.Value, GitBackupConfigView.From((await world.Configs.GetAsync(timeout.Token))!));
    }

    [Fact]
    public async Task PrivacyCheckSendsTheCandidateWithTheTokenEncrypted()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);

        await CreateAsync(world, new GitBackupConfigInput(Provider: "forgejo", RepositoryUrl: "https://codeberg.org/owner/repo", AccessToken: Token, Branch: "bk"), timeout.Token);

        var test = Assert.Single(world.GitSync.Tested);
        Assert.Equal(("forgejo", "https://codeberg.org/owner/repo", "bk"), (test.Target.Provider, test.Target.RepositoryUrl, test.Target.Branch));
        Assert.NotEqual(Token, test.Target.ProtectedAccessToken);
        Assert.Equal(Token, world.Secrets.Unprotect(test.Target.ProtectedAccessToken));
        var job = await world.Jobs.GetAsync(test.JobId, timeout.Token);
        Assert.Equal((JobKinds.GitTest, JobStates.Succeeded), (job!.Kind, job.State));
    }

    [Fact]
    public async Task PrivacyThatCannotBeToldSavesWithAWarning()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        world.GitSync.IsPrivate = null;

        var saved = await CreateAsync(world, new GitBackupConfigInput(RepositoryUrl: "https://github.com/owner/repo", AccessToken: Token), timeout.Token);

        Assert.Contains("could not be checked", saved.Value!.Warning, StringComparison.Ordinal);
        Assert.NotNull(await world.Configs.GetAsync(timeout.Token));
    }

    [Fact]
    public async Task AWorkerThatNeverAnswersSavesWithAWarningAfterTheBoundAndCancelsTheTest()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token, privacyCheckTimeout: TimeSpan.FromSeconds(1));
        world.GitSync.IsPrivate = null;
        world.GitSync.AnswerTests = false;

        var saved = await CreateAsync(world, new GitBackupConfigInput(RepositoryUrl: "https://github.com/owner/repo", AccessToken: Token), timeout.Token);

        Assert.Contains("did not answer", saved.Value!.Warning, StringComparison.Ordinal);
        Assert.NotNull(await world.Configs.GetAsync(timeout.Token));
        var test = Assert.Single(world.GitSync.Tested);
        var job = await world.Jobs.GetAsync(test.JobId, timeout.Token);
        Assert.Equal(JobStates.Cancelled, job!.State);
    }

    [Fact]
    public async Task DisabledSettingsAreSavedWithoutAConnectionTest()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        world.GitSync.IsPrivate = false;

        var saved = await CreateAsync(world, new GitBackupConfigInput(RepositoryUrl: "https://github.com/owner/repo", AccessToken: Token, Enabled: false), timeout.Token);

        Assert.False(saved.Value!.Enabled);
        Assert.Empty(world.GitSync.Tested);
    }

    [Fact]
    public async Task TestConnectionAnswersInBambuddysShapeWithTheJob()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);

        var answer = await GitBackupApi.TestGitConnection(new GitTestRequest("gitlab", "https://gitlab.com/group/sub/project", "glpat-secret"),
            world.Secrets, world.Tester, world.Options, timeout.Token);

        var body = Assert.IsType<Ok<Dictionary<string, object?>>>(answer).Value!;
        var json = JsonSerializer.Serialize(body, JobJson.Options);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.True(root.GetProperty("success").GetBoolean());
        Assert.True(root.GetProperty("is_private").GetBoolean());
        Assert.Equal("owner/repo", root.GetProperty("repo_name").GetString());
        Assert.True(root.GetProperty("permissions").GetProperty("push").GetBoolean());
        Assert.Equal(Assert.Single(world.GitSync.Tested).JobId, root.GetProperty("job_id").GetGuid());
        Assert.DoesNotContain("glpat-secret", json, StringComparison.Ordinal);
        Assert.Null(await world.Configs.GetAsync(timeout.Token));
    }

    [Fact]
    public async Task TestConnectionRefusesAnInvalidUrlBeforeAnyJob()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);

        var answer = await GitBackupApi.TestGitConnection(new GitTestRequest("github", "https://x:ghp_abc@github.com/o/r", "ghp_abc"),
            world.Secrets, world.Tester, world.Options, timeout.Token);

        Assert.Equal("repository_url", Assert.IsType<ProblemHttpResult>(answer).ProblemDetails.Extensions["field"]);
        Assert.Empty(world.GitSync.Tested);
    }

    [Fact]
    public async Task TestOfStoredSettingsWithoutSettingsIsABadRequest()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);

        var answer = await GitBackupApi.TestStoredGitConnection(world.Configs, world.Tester, world.Options, timeout.Token);

        Assert.Equal(StatusCodes.Status400BadRequest, Assert.IsType<ProblemHttpResult>(answer).StatusCode);
    }

    [Fact]
    public async Task DeleteRemovesTheSettingsAndTheirHistory()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        var config = await world.SaveConfigAsync(timeout.Token);
        await world.Runs.QueueAsync(config, Triggers.Manual, timeout.Token);

        var deleted = await GitBackupApi.DeleteGitBackupConfig(world.Configs, timeout.Token);
        var again = await GitBackupApi.DeleteGitBackupConfig(world.Configs, timeout.Token);

        Assert.IsType<Ok<Dictionary<string, object?>>>(deleted.Result);
        Assert.Equal(StatusCodes.Status404NotFound, Assert.IsType<ProblemHttpResult>(again.Result).StatusCode);
        Assert.Null(await world.Configs.GetAsync(timeout.Token));
        Assert.Equal(0L, await world.ScalarAsync<long>("SELECT count(*) FROM git_backup_logs", timeout.Token));
    }

    private static async Task<Ok<GitBackupConfigView>> CreateAsync(GitBackupWorld world, GitBackupConfigInput input, CancellationToken cancellationToken)
    {
        var answer = await GitBackupApi.CreateGitBackupConfig(input, world.Configs, world.Secrets, world.Tester, world.Options, cancellationToken);
        return Assert.IsType<Ok<GitBackupConfigView>>(answer.Result);
    }

    private static async Task<Ok<GitBackupConfigView>> PatchAsync(GitBackupWorld world, GitBackupConfigInput input, CancellationToken cancellationToken)
    {
        var answer = await GitBackupApi.UpdateGitBackupConfig(input, world.Configs, world.Secrets, world.Tester, world.Options, cancellationToken);
        return Assert.IsType<Ok<GitBackupConfigView>>(answer.Result);
    }
}
