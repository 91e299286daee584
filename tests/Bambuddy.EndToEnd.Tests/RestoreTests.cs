using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Npgsql;

namespace Bambuddy.EndToEnd.Tests;

/// <summary>Restore through the gateway against the running system: stored and uploaded ZIPs, refusals, conflicts, and a worker killed mid-way.</summary>
[Collection(SystemCollection.Name)]
public sealed class RestoreTests(SystemFixture system)
{
    private static readonly string[] Ended = ["succeeded", "failed", "cancelled"];

    private string DataDirectory => Path.Combine(system.StateDirectory, "demo-data");

    [Fact]
    public async Task StoredBackupRestoresTheInstallationExactlyAndKeepsASafetyBackup()
    {
        var ct = Timeouts.For(TimeSpan.FromMinutes(3));
        var bambuddy = await BambuddyConnectionStringAsync(ct);
        var fileName = (await system.RunBackupAsync(ct)).GetProperty("filename").GetString()!;
        var backedUp = await InstallationState.ReadAsync(bambuddy, DataDirectory, ct);

        await ChangeInstallationAsync(bambuddy, ct);
        var changed = await InstallationState.ReadAsync(bambuddy, DataDirectory, ct);
        Assert.NotEqual(backedUp.Tables["settings"], changed.Tables["settings"]);

        using var response = await system.Gateway.PostAsync($"/api/v1/local-backup/backups/{fileName}/restore?wait=true&force=true", null, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.GetRawText());
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.True(body.GetProperty("restart_required").GetBoolean());

        InstallationState.AssertEqual(backedUp, await InstallationState.ReadAsync(bambuddy, DataDirectory, ct));
        Assert.Empty(Directory.EnumerateDirectories(DataDirectory, ".bambuddy-restore-*"));
        var status = await system.Gateway.GetFromJsonAsync<JsonElement>("/api/v1/local-backup/status", ct);
        Assert.True(status.GetProperty("restart_required").GetBoolean(), status.GetRawText());

        var jobId = body.GetProperty("job_id").GetGuid();
        var safety = await system.QueryScalarAsync<string>(
            "SELECT state || ':' || kind || ':' || trigger FROM jobs WHERE parent_id = $1", ct, jobId);
        Assert.Equal("succeeded:safety_backup:restore", safety);
        var listed = (await system.Gateway.GetFromJsonAsync<JsonElement[]>("/api/v1/local-backup/backups", ct))!;
        Assert.Contains(listed, b => b.GetProperty("kind").GetString() == "safety_backup");
    }

    [Fact]
    public async Task UploadedBackupRestoresThroughBambuddysOwnEndpoint()
    {
        var ct = Timeouts.For(TimeSpan.FromMinutes(3));
        var bambuddy = await BambuddyConnectionStringAsync(ct);
        var fileName = (await system.RunBackupAsync(ct)).GetProperty("filename").GetString()!;
        var zip = await system.Gateway.GetByteArrayAsync($"/api/v1/local-backup/backups/{fileName}/download", ct);
        var backedUp = await InstallationState.ReadAsync(bambuddy, DataDirectory, ct);
        await ChangeInstallationAsync(bambuddy, ct);

        using var response = await system.Gateway.PostAsync("/api/v1/settings/restore?force=true", Upload(zip), ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK, body.GetRawText());
        Assert.True(body.GetProperty("success").GetBoolean());
        InstallationState.AssertEqual(backedUp, await InstallationState.ReadAsync(bambuddy, DataDirectory, ct));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(system.StateDirectory, "spool")));
    }

    [Theory]
    [InlineData("zip-slip")]
    [InlineData("not-a-zip")]
    [InlineData("no-database")]
    [InlineData("not-sqlite")]
    public async Task HostileUploadIsRefusedWithAReasonAndChangesNothing(string kind)
    {
        var ct = Timeouts.CallToken();
        var bambuddy = await BambuddyConnectionStringAsync(ct);
        var before = await InstallationState.ReadAsync(bambuddy, DataDirectory, ct);
        var outside = Path.Combine(system.StateDirectory, "evil.txt");

        using var response = await system.Gateway.PostAsync("/api/v1/restore?wait=true", Upload(HostileZip(kind)), ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"{response.StatusCode}: {body.GetRawText()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal("validate", body.GetProperty("step").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("reason").GetString()));
        Assert.False(File.Exists(outside));
        InstallationState.AssertEqual(before, await InstallationState.ReadAsync(bambuddy, DataDirectory, ct));
        Assert.Empty(Directory.EnumerateDirectories(DataDirectory, ".bambuddy-restore-*"));
    }

    [Fact]
    public async Task RestoreWhileABackupRunsGets409WithTheRunningJob()
    {
        var ct = Timeouts.For(TimeSpan.FromMinutes(2));
        var fileName = (await system.RunBackupAsync(ct)).GetProperty("filename").GetString()!;
        using var started = await system.Gateway.PostAsync($"/api/v1/local-backup/backups/{fileName}/restore?force=true", null, ct);
        var job = await started.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);

        using var second = await system.Gateway.PostAsync("/api/v1/local-backup/run", null, ct);
        var conflict = await second.Content.ReadFromJsonAsync<JsonElement>(ct);
        var ended = await system.WaitForJobStateAsync(job.GetProperty("job_id").GetGuid(), Ended, ct);

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal(job.GetProperty("job_id").GetGuid(), conflict.GetProperty("running_job_id").GetGuid());
        Assert.Equal("succeeded", ended.GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("database_loading")]
    [InlineData("folder_swapped:2")]
    public async Task WorkerKilledMidRestoreLeavesTheOldOrTheNewInstallationNeverAMix(string killAt)
    {
        var ct = Timeouts.For(TimeSpan.FromMinutes(4));
        var bambuddy = await BambuddyConnectionStringAsync(ct);
        var fileName = (await system.RunBackupAsync(ct)).GetProperty("filename").GetString()!;
        var backedUp = await InstallationState.ReadAsync(bambuddy, DataDirectory, ct);
        await ChangeInstallationAsync(bambuddy, ct);
        var changed = await InstallationState.ReadAsync(bambuddy, DataDirectory, ct);

        Directory.CreateDirectory(Path.Combine(system.StateDirectory, "restore"));
        await File.WriteAllTextAsync(Path.Combine(system.StateDirectory, "restore", "kill-at"), killAt, ct);
        using var started = await system.Gateway.PostAsync($"/api/v1/local-backup/backups/{fileName}/restore?force=true", null, ct);
        var jobId = (await started.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("job_id").GetGuid();

        await system.App.ResourceNotifications.WaitForResourceAsync("restore", KnownResourceStates.TerminalStates, ct);
        var afterKill = await InstallationState.ReadAsync(bambuddy, DataDirectory, ct);
        await system.App.ResourceCommands.ExecuteCommandAsync("restore", KnownResourceCommands.StartCommand, ct);
        await system.App.ResourceNotifications.WaitForResourceHealthyAsync("restore", ct);
        var job = await system.WaitForJobStateAsync(jobId, Ended, ct);

        // Killed before the commit: the installation was untouched; killed in the swap: the database is
        // already the backup's and the files are half-swapped on disk until the restarted worker rolls forward.
        if (killAt.StartsWith("database", StringComparison.Ordinal))
        {
            InstallationState.AssertEqual(changed, afterKill);
        }

        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        InstallationState.AssertEqual(backedUp, await InstallationState.ReadAsync(bambuddy, DataDirectory, ct));
        Assert.False(File.Exists(Path.Combine(system.StateDirectory, "restore", "journal.json")));
        Assert.Empty(Directory.EnumerateDirectories(DataDirectory, ".bambuddy-restore-*"));
    }

    private async Task<string> BambuddyConnectionStringAsync(CancellationToken ct)
        => await system.App.GetConnectionStringAsync("bambuddy", ct) ?? throw new InvalidOperationException("no bambuddy database");

    /// <summary>What a user does after the backup: a setting changes, a printer is added, files come and go.</summary>
    private async Task ChangeInstallationAsync(string connectionString, CancellationToken ct)
    {
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(
                "UPDATE settings SET value = value || '-changed' WHERE key = (SELECT min(key) FROM settings)", connection);
            Assert.Equal(1, await command.ExecuteNonQueryAsync(ct));
        }

        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "icons", $"new-{Guid.NewGuid():N}.txt"), "added after the backup", ct);
        var victim = Directory.EnumerateFiles(Path.Combine(DataDirectory, "projects"), "*", SearchOption.AllDirectories).First();
        File.Delete(victim);
    }

    private static MultipartFormDataContent Upload(byte[] zip)
    {
        var file = new ByteArrayContent(zip);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return new MultipartFormDataContent { { file, "file", "backup.zip" } };
    }

    private static byte[] HostileZip(string kind)
    {
        if (kind == "not-a-zip")
        {
            return "this is not a zip file at all"u8.ToArray();
        }

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, byte[] content)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(content);
            }

            switch (kind)
            {
                case "zip-slip":
                    Add("bambuddy.db", "SQLite format 3\0"u8.ToArray());
                    Add("../evil.txt", "escaped"u8.ToArray());
                    break;
                case "no-database":
                    Add("archive/1/x.3mf", "not much"u8.ToArray());
                    break;
                case "not-sqlite":
                    Add("bambuddy.db", "definitely not a database"u8.ToArray());
                    break;
            }
        }

        return buffer.ToArray();
    }
}
