using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Bambuddy.Contracts;
using Bambuddy.Scheduler.Restores;
using Bambuddy.Testing;
using Xunit.Abstractions;

namespace Bambuddy.Scheduler.Tests.Restores;

[Collection(PostgresCollection.Name)]
public sealed class RestoreUploadTests(PostgresServer server, ITestOutputHelper output)
{
    private const long TwoHundredMegabytes = 200L * 1024 * 1024;

    [Fact]
    public async Task UploadOf200MegabytesStreamsToTheSpoolWithoutBeingHeldInMemory()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        using var warmUp = await host.Client.GetAsync("/api/v1/local-backup/status", timeout.Token);
        using var body = RestoreApiHost.Upload(new StreamContent(new PatternStream(TwoHundredMegabytes), 64 * 1024));

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var response = await host.Client.PostAsync("/api/v1/restore", body, timeout.Token);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        output.WriteLine($"200 MiB upload: {allocated:N0} bytes allocated in the process (client and server)");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("job_id").GetGuid();
        var command = await host.CommandOfAsync(jobId, timeout.Token);
        Assert.Equal(RestoreRequests.SourceUpload, command.SourceKind);
        Assert.Equal(host.Spool.PathOf(jobId), command.Source);
        Assert.StartsWith(Path.Combine(host.StateDirectory, "spool") + "/", command.Source, StringComparison.Ordinal);
        Assert.Equal(TwoHundredMegabytes, new FileInfo(command.Source).Length);
        Assert.Equal(await HashOfPatternAsync(TwoHundredMegabytes, timeout.Token), await HashOfFileAsync(command.Source, timeout.Token));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(host.Spool.Folder));
        // Both ends of the request live in this process; a buffered upload would allocate its 200 MB at least once.
        Assert.True(allocated < TwoHundredMegabytes / 8, $"the upload allocated {allocated:N0} bytes");
    }

    [Fact]
    public async Task UploadOverTheLimitAnswers413AndKeepsNoPartialFileNorJob()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token, maxUploadBytes: 1024 * 1024);
        using var body = RestoreApiHost.Upload(new StreamContent(new PatternStream(3 * 1024 * 1024)));

        using var response = await host.Client.PostAsync("/api/v1/restore", body, timeout.Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        Assert.False(problem.GetProperty("success").GetBoolean());
        Assert.Contains("Restore:MaxUploadBytes", problem.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Empty(host.SpoolFiles());
        Assert.Equal(0, await host.CountJobsAsync(timeout.Token));
    }

    [Fact]
    public async Task UploadUnderTheLimitIsAcceptedWhereALargerOneIsNot()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token, maxUploadBytes: 1024 * 1024);
        using var body = RestoreApiHost.Upload(new StreamContent(new PatternStream(1024 * 1024)));

        using var response = await host.Client.PostAsync("/api/v1/restore", body, timeout.Token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(host.SpoolFiles());
    }

    [Fact]
    public async Task UploadWithoutTheFileFieldAnswers400AndCreatesNothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        using var body = RestoreApiHost.Upload([1, 2, 3], field: "backup");

        using var response = await host.Client.PostAsync("/api/v1/restore", body, timeout.Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        Assert.Equal("upload", problem.GetProperty("step").GetString());
        Assert.Contains("'file'", problem.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Empty(host.SpoolFiles());
        Assert.Equal(0, await host.CountJobsAsync(timeout.Token));
    }

    [Fact]
    public async Task BodyThatIsNotMultipartAnswers400()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        using var body = new ByteArrayContent([0x50, 0x4B, 3, 4]);
        body.Headers.ContentType = new("application/zip");

        using var response = await host.Client.PostAsync("/api/v1/settings/restore", body, timeout.Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(host.SpoolFiles());
        Assert.Equal(0, await host.CountJobsAsync(timeout.Token));
    }

    [Fact]
    public async Task ClientThatGoesAwayMidUploadLeavesNoPartialFile()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        var sawPartialFile = false;
        // Sends 4 MB, waits until the server has a partial file on disk, then breaks the connection.
        var stream = new PatternStream(TwoHundredMegabytes, async (sent, ct) =>
        {
            if (sent < 4 * 1024 * 1024)
            {
                return;
            }

            await WaitUntilAsync(() => host.SpoolFiles().Length == 1, ct);
            sawPartialFile = true;
            throw new IOException("the client went away");
        });
        using var body = RestoreApiHost.Upload(new StreamContent(stream, 64 * 1024));

        await Assert.ThrowsAnyAsync<Exception>(() => host.Client.PostAsync("/api/v1/restore", body, timeout.Token));

        Assert.True(sawPartialFile);
        await WaitUntilAsync(() => host.SpoolFiles().Length == 0, timeout.Token);
        Assert.Equal(0, await host.CountJobsAsync(timeout.Token));
    }

    [Fact]
    public async Task UploadRestoreCarriesTheOptionsAndTheSafetyBackupSettings()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var host = await RestoreApiHost.StartAsync(server, timeout.Token);
        var settings = host.Service<LocalBackups.LocalBackupSettingsStore>();
        await settings.SaveAsync((await settings.GetAsync(timeout.Token)) with { Path = host.BackupsFolder }, timeout.Token);
        using var body = RestoreApiHost.Upload([1, 2, 3]);

        using var response = await host.Client.PostAsync("/api/v1/restore?force=true&allow_orphans=true", body, timeout.Token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("/api/v1/jobs/", response.Headers.Location?.OriginalString[..13]);
        var job = await host.WaitForRestoreJobAsync(timeout.Token);
        var command = await host.CommandOfAsync(job.JobId, timeout.Token);
        Assert.Equal((true, true, false), (command.Force, command.AllowOrphans, command.AllowSchemaLoss));
        Assert.Equal(host.BackupsFolder, command.OutputPath);
        Assert.NotEqual(Guid.Empty, command.SafetyBackupJobId);
        Assert.NotEqual(job.JobId, command.SafetyBackupJobId);
        Assert.Null(command.StoredCopy);
        Assert.Equal((JobKinds.Restore, Triggers.Manual), (job.Kind, job.Trigger));
        Assert.True(await host.Harness.Published.Any<RestoreBackup>(m => m.Context.Message.JobId == job.JobId, timeout.Token));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (!condition())
        {
            await timer.WaitForNextTickAsync(cancellationToken);
        }
    }

    private static async Task<string> HashOfPatternAsync(long length, CancellationToken cancellationToken)
        => Convert.ToHexString(await SHA256.HashDataAsync(new PatternStream(length), cancellationToken));

    private static async Task<string> HashOfFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexString(await SHA256.HashDataAsync(file, cancellationToken));
    }
}
