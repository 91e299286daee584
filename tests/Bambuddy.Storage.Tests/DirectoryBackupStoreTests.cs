using Bambuddy.Core.Storage;
using Bambuddy.Testing;

namespace Bambuddy.Storage.Tests;

public sealed class DirectoryBackupStoreTests : IDisposable
{
    private const string First = "bambuddy-backup-20260101-000000.zip";
    private const string Second = "bambuddy-backup-20260102-000000.zip";

    private readonly TempDirectory _temp = new("bambuddy-store-test-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task WrittenBackupIsListedReadWholeAndByRangeThenDeleted()
    {
        using var timeout = Timeouts.Short();
        var store = new DirectoryBackupStore(_temp.Combine("backups"));
        const long size = 300_007;

        var stored = await store.WriteAsync(First, new PatternStream(size, maxChunk: 4_099), size, PatternStream.Sha256Of(size), timeout.Token);

        Assert.Equal("local", store.Location);
        Assert.Equal(new StoredBackup(First, size, stored.LastModified, PatternStream.Sha256Of(size)), stored);
        var listed = Assert.Single(await store.ListAsync(timeout.Token));
        Assert.Equal((First, size), (listed.Name, listed.Size));
        Assert.True(await store.ExistsAsync(First, timeout.Token));
        await using (var whole = await store.OpenReadAsync(First, timeout.Token))
        {
            await StreamAssert.HoldsPatternAsync(whole, 0, size, timeout.Token);
        }

        await using (var middle = await store.OpenReadRangeAsync(First, 70_000, 1_000, timeout.Token))
        {
            await StreamAssert.HoldsPatternAsync(middle, 70_000, 1_000, timeout.Token);
        }

        await using (var tail = await store.OpenReadRangeAsync(First, size - 10, null, timeout.Token))
        {
            await StreamAssert.HoldsPatternAsync(tail, size - 10, 10, timeout.Token);
        }

        Assert.True(await store.DeleteAsync(First, timeout.Token));
        Assert.False(await store.DeleteAsync(First, timeout.Token));
        Assert.Empty(await store.ListAsync(timeout.Token));
        Assert.False(await store.ExistsAsync(First, timeout.Token));
    }

    [Fact]
    public async Task PartialTemporaryAndOtherFilesAreNeverListed()
    {
        using var timeout = Timeouts.Short();
        var folder = Directory.CreateDirectory(_temp.Combine("backups")).FullName;
        foreach (var name in new[]
        {
            "." + First + ".partial", "." + Second + ".1a2b3c4d.partial", Second + ".partial", "bambuddy.db", "notes.txt",
            "x.zip", "bambuddy-backup-.zip", ".bambuddy-backup-20260103-000000.zip",
        })
        {
            await File.WriteAllTextAsync(Path.Combine(folder, name), "not a backup", timeout.Token);
        }

        Directory.CreateDirectory(Path.Combine(folder, "bambuddy-backup-20260104-000000.zip"));
        var store = new DirectoryBackupStore(folder);
        await store.WriteAsync(Second, new PatternStream(10), 10, PatternStream.Sha256Of(10), timeout.Token);
        await store.WriteAsync(First, new PatternStream(20), 20, PatternStream.Sha256Of(20), timeout.Token);

        var listed = await store.ListAsync(timeout.Token);

        Assert.Equal([First, Second], listed.Select(backup => backup.Name));
    }

    [Fact]
    public async Task FolderIsCreatedWhenMissing()
    {
        using var timeout = Timeouts.Short();
        var folder = _temp.Combine("nas", "bambuddy", "backups");
        var store = new DirectoryBackupStore(folder);

        var listed = await store.ListAsync(timeout.Token);

        Assert.Empty(listed);
        Assert.True(Directory.Exists(folder));
    }

    [Fact]
    public async Task WriteWithWrongSha256FailsVerificationAndLeavesNoFile()
    {
        using var timeout = Timeouts.Short();
        var folder = _temp.Combine("backups");
        var store = new DirectoryBackupStore(folder);

        var error = await Assert.ThrowsAsync<BackupStoreException>(() =>
            store.WriteAsync(First, new PatternStream(5_000), 5_000, PatternStream.Sha256Of(4_999), timeout.Token));

        Assert.Equal(BackupStoreFailure.VerificationFailed, error.Reason);
        Assert.Contains("SHA-256", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public async Task WriteOfFewerBytesThanDeclaredFailsVerificationAndLeavesNoFile()
    {
        using var timeout = Timeouts.Short();
        var folder = _temp.Combine("backups");
        var store = new DirectoryBackupStore(folder);

        var error = await Assert.ThrowsAsync<BackupStoreException>(() =>
            store.WriteAsync(First, new PatternStream(5_000), 6_000, PatternStream.Sha256Of(5_000), timeout.Token));

        Assert.Equal(BackupStoreFailure.VerificationFailed, error.Reason);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public async Task CancelledWriteLeavesNoFile()
    {
        using var timeout = Timeouts.Short();
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var folder = _temp.Combine("backups");
        var store = new DirectoryBackupStore(folder);
        var content = new CancellingStream(new PatternStream(1_000_000), 500_000, caller);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            store.WriteAsync(First, content, 1_000_000, PatternStream.Sha256Of(1_000_000), caller.Token));

        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public async Task ExistingBackupIsNeverOverwritten()
    {
        using var timeout = Timeouts.Short();
        var store = new DirectoryBackupStore(_temp.Combine("backups"));
        await store.WriteAsync(First, new PatternStream(100), 100, PatternStream.Sha256Of(100), timeout.Token);

        var error = await Assert.ThrowsAsync<BackupStoreException>(() =>
            store.WriteAsync(First, new PatternStream(50), 50, PatternStream.Sha256Of(50), timeout.Token));

        Assert.Equal(BackupStoreFailure.AlreadyExists, error.Reason);
        Assert.Equal(100, Assert.Single(await store.ListAsync(timeout.Token)).Size);
        Assert.Single(Directory.EnumerateFileSystemEntries(_temp.Combine("backups")));
    }

    [Fact]
    public async Task ReadingAMissingBackupFailsWithNotFound()
    {
        using var timeout = Timeouts.Short();
        var store = new DirectoryBackupStore(_temp.Combine("backups"));

        var error = await Assert.ThrowsAsync<BackupStoreException>(() => store.OpenReadAsync(First, timeout.Token));

        Assert.Equal(BackupStoreFailure.NotFound, error.Reason);
        Assert.Null(await store.GetAsync(First, timeout.Token));
    }

    [Fact]
    public async Task RangeStartingPastTheEndIsRefused()
    {
        using var timeout = Timeouts.Short();
        var store = new DirectoryBackupStore(_temp.Combine("backups"));
        await store.WriteAsync(First, new PatternStream(100), 100, PatternStream.Sha256Of(100), timeout.Token);

        var error = await Assert.ThrowsAsync<BackupStoreException>(() => store.OpenReadRangeAsync(First, 100, 10, timeout.Token));

        Assert.Equal(BackupStoreFailure.InvalidRange, error.Reason);
    }
}
