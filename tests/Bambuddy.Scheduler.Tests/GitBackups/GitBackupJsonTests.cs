using System.Text.Json;
using Bambuddy.Scheduler.GitBackups;
using Bambuddy.Scheduler.Jobs;

namespace Bambuddy.Scheduler.Tests.GitBackups;

/// <summary>The REST surface's JSON (snake_case, as the scheduler's HTTP options set it): Bambuddy's key names.</summary>
public sealed class GitBackupJsonTests
{
    [Fact]
    public void ConfigBodyBindsBambuddysKeyNames()
    {
        const string body = """
            {"provider": "gitea", "repository_url": "https://git.lan/o/r", "access_token": "t", "branch": "b", "allow_insecure_http": true,
             "schedule_enabled": true, "schedule_type": "hourly", "backup_kprofiles": false, "backup_cloud_profiles": false,
             "backup_settings": true, "backup_spools": true, "backup_archives": true, "enabled": false}
            """;

        var input = JsonSerializer.Deserialize<GitBackupConfigInput>(body, JobJson.Options);

        Assert.Equal(new GitBackupConfigInput("gitea", "https://git.lan/o/r", "t", "b", true, true, "hourly", false, false, true, true, true, false), input);
    }

    [Fact]
    public void ConfigViewWritesBambuddysKeysInItsOrderAndNoToken()
    {
        var view = GitBackupConfigView.From(GitBackupConfig.New("https://github.com/o/r", "CfDJ8cipher") with { Id = 1 });

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(view, JobJson.Options));

        Assert.Equal(
            [
                "id", "repository_url", "has_token", "branch", "provider", "allow_insecure_http", "schedule_enabled", "schedule_type",
                "backup_kprofiles", "backup_cloud_profiles", "backup_settings", "backup_spools", "backup_archives", "enabled",
                "last_backup_at", "last_backup_status", "last_backup_message", "last_backup_commit_sha", "next_scheduled_run", "created_at", "updated_at",
            ],
            json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain("CfDJ8cipher", json.RootElement.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void StatusWritesBambuddysKeys()
    {
        var status = new GitBackupStatus(true, true, false, null, null, null, null, null);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(status, JobJson.Options));

        Assert.Equal(
            ["configured", "enabled", "is_running", "progress", "last_backup_at", "last_backup_status", "next_scheduled_run", "running_job_id"],
            json.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void TestBodyBindsFromJson()
    {
        var request = JsonSerializer.Deserialize<GitTestRequest>("""{"provider":"gitlab","repository_url":"u","access_token":"t","branch":"b","allow_insecure_http":true}""", JobJson.Options);

        Assert.Equal(new GitTestRequest("gitlab", "u", "t", "b", true), request);
    }
}
