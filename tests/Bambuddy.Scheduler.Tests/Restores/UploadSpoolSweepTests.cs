using Bambuddy.Core.Installation;
using Bambuddy.Core.Jobs;
using Bambuddy.Scheduler.Restores;
using Bambuddy.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bambuddy.Scheduler.Tests.Restores;

public sealed class UploadSpoolSweepTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SweepDeletesOldUploadsWhoseJobEndedOrNeverExistedAndKeepsTheRest()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var temp = new TempDirectory();
        var spool = Spool(temp);
        Directory.CreateDirectory(spool.Folder);
        var (ended, active, orphan, fresh) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        Write(spool.PathOf(ended), Now.AddDays(-2));
        Write(spool.PathOf(active), Now.AddDays(-2));
        Write(spool.PathOf(orphan), Now.AddHours(-25));
        Write(spool.PathOf(fresh), Now.AddHours(-23));
        Write(Path.Combine(spool.Folder, "upload-not-a-guid.zip"), Now.AddDays(-3));

        var deleted = await spool.SweepAsync((id, _) => Task.FromResult(id == active), timeout.Token);

        Assert.Equal(3, deleted);
        Assert.Equal(
            new[] { spool.PathOf(active), spool.PathOf(fresh) }.Order(StringComparer.Ordinal),
            Directory.GetFiles(spool.Folder).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SweepOfAMissingSpoolFolderDoesNothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var temp = new TempDirectory();

        var deleted = await Spool(temp).SweepAsync((_, _) => Task.FromResult(false), timeout.Token);

        Assert.Equal(0, deleted);
    }

    [Fact]
    public void SpoolInsideTheDataDirectoryIsRefusedAtStart()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<InvalidOperationException>(() => new UploadSpool(
            new WorkerPaths(temp.Combine("data", "state")), new BambuddyInstallation(temp.Combine("data"), DatabaseBackend.Sqlite, temp.Combine("data", "bambuddy.db")),
            Options.Create(new RestoreOptions()), new FakeTimeProvider(Now), NullLogger<UploadSpool>.Instance));

        Assert.Contains("BACKUP_STATE_DIR", error.Message, StringComparison.Ordinal);
    }

    private static UploadSpool Spool(TempDirectory temp) => new(
        new WorkerPaths(temp.Combine("state")), new BambuddyInstallation(temp.Combine("data"), DatabaseBackend.Sqlite, temp.Combine("data", "bambuddy.db")),
        Options.Create(new RestoreOptions()), new FakeTimeProvider(Now), NullLogger<UploadSpool>.Instance);

    private static void Write(string path, DateTimeOffset modified)
    {
        File.WriteAllBytes(path, [1, 2, 3]);
        File.SetLastWriteTimeUtc(path, modified.UtcDateTime);
    }
}
