using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace Bambuddy.EndToEnd.Tests;

[Collection(SystemCollection.Name)]
public sealed class LocalBackupTests(SystemFixture system)
{
    private static readonly string[] DataFolders = ["archive", "virtual_printer", "projects", "icons", "plate_calibration"];

    private string DemoDataDirectory => Path.Combine(system.StateDirectory, "demo-data");

    [Fact]
    public async Task BackupIsACompleteZipThatIsListedAndDownloadsByteForByte()
    {
        var ct = Timeouts.CallToken();

        var run = await system.RunBackupAsync(ct);
        var fileName = run.GetProperty("filename").GetString()!;
        var listed = (await system.Gateway.GetFromJsonAsync<JsonElement[]>("/api/v1/local-backup/backups", ct))!
            .Single(b => b.GetProperty("filename").GetString() == fileName);
        var bytes = await system.Gateway.GetByteArrayAsync($"/api/v1/local-backup/backups/{fileName}/download", ct);
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        var entries = zip.Entries.ToDictionary(e => e.FullName);
        var files = DataFolders.Select(f => Path.Combine(DemoDataDirectory, f)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Append(Path.Combine(DemoDataDirectory, ".mfa_encryption_key"))
            .ToList();

        Assert.Matches(@"^bambuddy-backup-\d{8}-\d{6}\.zip$", fileName);
        Assert.Equal(run.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(listed.GetProperty("sha256").GetString(), run.GetProperty("sha256").GetString());
        Assert.Equal(bytes.Length, listed.GetProperty("size").GetInt64());
        Assert.Equal("local_backup", listed.GetProperty("kind").GetString());
        Assert.Equal(["local"], listed.GetProperty("locations").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains("bambuddy.db", entries.Keys);
        Assert.Contains("backup-manifest.json", entries.Keys);
        Assert.DoesNotContain(entries.Keys, name => name.EndsWith('/') || name.Contains('\\'));
        Assert.True(files.Count > 20, $"the demo installation has only {files.Count} files");
        foreach (var file in files)
        {
            var name = Path.GetRelativePath(DemoDataDirectory, file).Replace('\\', '/');
            Assert.True(entries.TryGetValue(name, out var entry), $"{name} is not in the backup");
            await using var content = entry.Open();
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file, ct))),
                Convert.ToHexStringLower(await SHA256.HashDataAsync(content, ct)));
        }
    }

    [Fact]
    public async Task RangeRequestGetsPartOfTheBackup()
    {
        var ct = Timeouts.CallToken();
        var fileName = (await system.RunBackupAsync(ct)).GetProperty("filename").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/local-backup/backups/{fileName}/download");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 3);

        using var response = await system.Gateway.SendAsync(request, ct);
        var head = await response.Content.ReadAsByteArrayAsync(ct);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("PK\u0003\u0004"u8.ToArray(), head);
    }

    [Theory]
    [InlineData("..%2Fx", HttpStatusCode.BadRequest)]
    [InlineData("%2Fetc%2Fpasswd", HttpStatusCode.BadRequest)]
    [InlineData("bambuddy.db", HttpStatusCode.BadRequest)]
    [InlineData("bambuddy-backup-x.txt", HttpStatusCode.BadRequest)]
    [InlineData("bambuddy-backup-19990101-000000.zip", HttpStatusCode.NotFound)]
    public async Task NameThatIsNotAListedBackupIsRefusedAndDeletesNothing(string name, HttpStatusCode expected)
    {
        var ct = Timeouts.CallToken();
        await system.RunBackupAsync(ct);
        var before = await ListNamesAsync(ct);

        using var download = await system.Gateway.GetAsync($"/api/v1/local-backup/backups/{name}/download", ct);
        using var delete = await system.Gateway.DeleteAsync($"/api/v1/local-backup/backups/{name}", ct);
        var problem = await delete.Content.ReadFromJsonAsync<JsonElement>(ct);

        Assert.Equal(expected, download.StatusCode);
        Assert.Equal(expected, delete.StatusCode);
        Assert.Equal("application/problem+json", delete.Content.Headers.ContentType?.MediaType);
        Assert.False(problem.GetProperty("success").GetBoolean());
        Assert.Equal(before, await ListNamesAsync(ct));
    }

    [Theory]
    [InlineData("""{"retention": 0}""", "retention")]
    [InlineData("""{"retention": 101}""", "retention")]
    [InlineData("""{"schedule": "monthly"}""", "schedule")]
    [InlineData("""{"time": "25:00"}""", "time")]
    [InlineData("""{"time": " 7:00"}""", "time")]
    [InlineData("""{"path": "/etc/hostname/backups"}""", "path")]
    public async Task BadSettingIsRefusedNamingTheFieldAndChangesNothing(string body, string field)
    {
        var ct = Timeouts.CallToken();
        var before = await system.Gateway.GetStringAsync("/api/v1/local-backup/settings", ct);

        using var response = await system.Gateway.PutAsync("/api/v1/local-backup/settings",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"), ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("reason").GetString()));
        Assert.Equal(before, await system.Gateway.GetStringAsync("/api/v1/local-backup/settings", ct));
    }

    [Fact]
    public async Task RetentionKeepsTheNewestOfOursAndLeavesBambuddyMadeZipsAlone()
    {
        var ct = Timeouts.CallToken();
        var outputFolder = Path.Combine(DemoDataDirectory, "backups");
        Directory.CreateDirectory(outputFolder);
        var bambuddyMade = Path.Combine(outputFolder, "bambuddy-backup-20200101-000000.zip");
        await File.WriteAllBytesAsync(bambuddyMade, EmptyZip(), ct);
        await system.PutSettingsAsync("""{"retention": 2}""", ct);
        try
        {
            var made = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                made.Add((await system.RunBackupAsync(ct)).GetProperty("filename").GetString()!);
            }

            var listed = await system.Gateway.GetFromJsonAsync<JsonElement[]>("/api/v1/local-backup/backups", ct);
            // Safety backups (other tests restore) keep their own retention and are not counted here.
            var ours = listed!.Where(b => b.GetProperty("origin").GetString() != "bambuddy" && b.GetProperty("kind").GetString() == "local_backup")
                .Select(b => b.GetProperty("filename").GetString()).ToList();

            Assert.Equal(made.TakeLast(2).Reverse(), ours);
            Assert.True(File.Exists(bambuddyMade));
            Assert.Contains(listed!, b => b.GetProperty("filename").GetString() == Path.GetFileName(bambuddyMade)
                && b.GetProperty("origin").GetString() == "bambuddy");
            Assert.False(File.Exists(Path.Combine(outputFolder, made[0])));
        }
        finally
        {
            await system.PutSettingsAsync("""{"retention": 5}""", ct);
            File.Delete(bambuddyMade);
        }
    }

    [Fact]
    public async Task DeleteRemovesTheBackupFromDiskAndList()
    {
        var ct = Timeouts.CallToken();
        var fileName = (await system.RunBackupAsync(ct)).GetProperty("filename").GetString()!;

        using var response = await system.Gateway.DeleteAsync($"/api/v1/local-backup/backups/{fileName}", ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.DoesNotContain(fileName, await ListNamesAsync(ct));
        Assert.False(File.Exists(Path.Combine(DemoDataDirectory, "backups", fileName)));
    }

    [Fact]
    public async Task DownloadFlowStreamsProgressEventsAndTheZip()
    {
        var ct = Timeouts.CallToken();
        var listedBefore = await ListNamesAsync(ct);

        using var created = await system.Gateway.PostAsync("/api/v1/backup", null, ct);
        var jobId = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("job_id").GetGuid();
        var events = await system.Gateway.GetStringAsync($"/api/v1/jobs/{jobId}/events", ct);
        using var download = await system.Gateway.GetAsync($"/api/v1/jobs/{jobId}/download", ct);
        var zip = await download.Content.ReadAsByteArrayAsync(ct);
        var listed = await ListNamesAsync(ct);

        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        Assert.Contains("event: progress", events);
        Assert.Contains("event: state", events);
        Assert.Contains("\"state\":\"succeeded\"", events);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("PK"u8.ToArray(), zip[..2]);
        // A download is not one of the kept backups.
        Assert.Equal(listedBefore, listed);
    }

    [Fact]
    public async Task BambuddysOwnBackupEndpointAnswersWithAFreshZip()
    {
        var ct = Timeouts.CallToken();

        using var response = await system.Gateway.GetAsync("/api/v1/settings/backup", ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches(@"^bambuddy-backup-\d{8}-\d{6}\.zip$", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.NotNull(zip.GetEntry("bambuddy.db"));
    }

    [Fact]
    public async Task StatusShowsTheLastBackupAndTheSettings()
    {
        var ct = Timeouts.CallToken();
        await system.RunBackupAsync(ct);

        var status = await system.Gateway.GetFromJsonAsync<JsonElement>("/api/v1/local-backup/status", ct);

        Assert.False(status.GetProperty("is_running").GetBoolean());
        Assert.Equal("success", status.GetProperty("last_status").GetString());
        Assert.Equal(JsonValueKind.String, status.GetProperty("last_backup_at").ValueKind);
        Assert.Equal(Path.Combine(DemoDataDirectory, "backups"), status.GetProperty("default_path").GetString());
        foreach (var field in new[] { "enabled", "schedule", "time", "retention", "path", "timezone", "next_run" })
        {
            Assert.True(status.TryGetProperty(field, out _), $"status.{field} is missing");
        }
    }

    [Fact]
    public async Task BambuddysOwnBackupSettingsWereImportedOnFirstStart()
    {
        var ct = Timeouts.CallToken();

        var settings = await system.Gateway.GetFromJsonAsync<JsonElement>("/api/v1/local-backup/settings", ct);

        // The demo installation's settings table has local_backup_enabled/schedule/time/retention/path.
        Assert.Equal(JsonValueKind.String, settings.GetProperty("imported_from_bambuddy_at").ValueKind);
    }

    [Fact]
    public async Task EnablingTheScheduleComputesTheNextRunAtOnce()
    {
        var ct = Timeouts.CallToken();
        try
        {
            var settings = await system.PutSettingsAsync("""{"enabled": true, "schedule": "weekly", "time": "03:30"}""", ct);
            var nextRun = settings.GetProperty("next_run").GetDateTimeOffset();

            Assert.True(nextRun > DateTimeOffset.UtcNow);
            Assert.True(nextRun < DateTimeOffset.UtcNow.AddDays(7).AddHours(1));
        }
        finally
        {
            await system.PutSettingsAsync("""{"enabled": false, "schedule": "daily", "time": "00:00"}""", ct);
        }
    }


    private async Task<List<string?>> ListNamesAsync(CancellationToken ct)
        => [.. (await system.Gateway.GetFromJsonAsync<JsonElement[]>("/api/v1/local-backup/backups", ct))!.Select(b => b.GetProperty("filename").GetString())];


    private static byte[] EmptyZip()
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry("bambuddy.db").Open());
            writer.Write("not really a database: a stand-in for a backup Bambuddy made");
        }

        return stream.ToArray();
    }
}
