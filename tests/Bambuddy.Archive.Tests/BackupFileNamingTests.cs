using Bambuddy.Core.Archive;
using Bambuddy.Testing;

namespace Bambuddy.Archive.Tests;

public sealed class BackupFileNamingTests
{
    private static readonly TimeZoneInfo _berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public void NameIsTheTimeInTheGivenZone()
    {
        var time = new DateTimeOffset(2026, 7, 1, 1, 2, 3, TimeSpan.Zero);

        Assert.Equal("bambuddy-backup-20260701-030203.zip", BackupFileNaming.Format(time, _berlin));
        Assert.Equal("bambuddy-backup-20260701-010203.zip", BackupFileNaming.Format(time, TimeZoneInfo.Utc));
    }

    [Fact]
    public void ThePartialNameIsHiddenAndNotABackupName()
    {
        var partial = BackupFileNaming.PartialName("bambuddy-backup-20260701-030203.zip");

        Assert.StartsWith(".", partial, StringComparison.Ordinal);
        Assert.False(BackupFileNaming.IsBackupFileName(partial));
        Assert.True(BackupFileNaming.IsBackupFileName("bambuddy-backup-20260701-030203.zip"));
    }

    [Fact]
    public async Task ATakenNameWaitsForTheNextSecond()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var folder = new TempDirectory();
        var clock = new SteppingClock(new DateTimeOffset(2026, 7, 1, 1, 2, 3, 999, TimeSpan.Zero));
        File.WriteAllText(folder.Combine("bambuddy-backup-20260701-010203.zip"), "taken");
        File.WriteAllText(folder.Combine(".bambuddy-backup-20260701-010204.zip.partial"), "being written");

        var name = await BackupFileNaming.NextFreeNameAsync(folder.Path, TimeZoneInfo.Utc, clock, cts.Token);

        Assert.Equal("bambuddy-backup-20260701-010205.zip", name);
        Assert.Equal("taken", File.ReadAllText(folder.Combine("bambuddy-backup-20260701-010203.zip")));
    }

    [Fact]
    public async Task ReservingAFileCreatesItsHiddenPartialAndDisposingItUnpublishedDeletesIt()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var folder = new TempDirectory();

        string partialPath;
        await using (var partial = await PartialBackupFile.CreateAsync(folder.Path, TimeZoneInfo.Utc, TimeProvider.System, cts.Token))
        {
            partialPath = partial.PartialPath;
            Assert.True(File.Exists(partialPath));
            Assert.StartsWith(".bambuddy-backup-", Path.GetFileName(partialPath), StringComparison.Ordinal);
            await partial.Stream.WriteAsync(new byte[10], cts.Token);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task PublishingRenamesIntoPlace()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var folder = new TempDirectory();

        await using var partial = await PartialBackupFile.CreateAsync(folder.Path, TimeZoneInfo.Utc, TimeProvider.System, cts.Token);
        await partial.Stream.WriteAsync(new byte[10], cts.Token);
        var length = await partial.PublishAsync(cts.Token);

        Assert.Equal(10, length);
        Assert.Equal([partial.FileName], Directory.EnumerateFileSystemEntries(folder.Path).Select(Path.GetFileName));
    }

    /// <summary>Reads <c>start</c> first, then one second later on each read.</summary>
    private sealed class SteppingClock(DateTimeOffset start) : TimeProvider
    {
        private int _reads;

        public override DateTimeOffset GetUtcNow() => start.AddSeconds(Interlocked.Increment(ref _reads) - 1);
    }
}
