using Bambuddy.Core.Storage;
using Bambuddy.Testing;

namespace Bambuddy.Storage.Tests;

[Collection(S3Collection.Name)]
public sealed class S3BackupStoreTests(S3Server server) : IDisposable
{
    private const string First = "bambuddy-backup-20260101-000000.zip";
    private const string Second = "bambuddy-backup-20260102-000000.zip";
    private const int MiB = 1 << 20;

    // A bucket of its own per test, created by the store itself.
    private readonly string _bucket = "test-" + Guid.NewGuid().ToString("N")[..20];
    private readonly List<S3BackupStore> _stores = [];

    public void Dispose() => _stores.ForEach(store => store.Dispose());

    [Fact]
    public async Task MultipartUploadOfKnownSizeIsListedWithItsSizeAndSha256()
    {
        using var timeout = Timeouts.Long();
        var store = Store();
        const long size = 40L * MiB + 17;
        var sha256 = PatternStream.Sha256Of(size);

        var stored = await store.WriteAsync(First, new PatternStream(size), size, sha256, timeout.Token);
        var listed = await store.ListAsync(timeout.Token);

        Assert.Equal("s3", store.Location);
        Assert.Equal((First, size, sha256), (stored.Name, stored.Size, stored.Sha256));
        // An empty list here means s3rver's XML namespace was not patched.
        var backup = Assert.Single(listed);
        Assert.Equal((First, size, sha256), (backup.Name, backup.Size, backup.Sha256));
    }

    [Fact]
    public async Task UploadOfUnknownSizeIsStoredWholeAndReadsBackIdentical()
    {
        using var timeout = Timeouts.Long();
        var store = Store();
        const long size = 20L * MiB + 5;
        var sha256 = PatternStream.Sha256Of(size);

        await store.WriteAsync(First, new PatternStream(size, maxChunk: 1_000_003), null, sha256, timeout.Token);
        var got = await store.GetAsync(First, timeout.Token);
        await using var read = await store.OpenReadAsync(First, timeout.Token);
        var (length, readSha256) = await StreamAssert.ReadAllAsync(read, timeout.Token);

        Assert.Equal((size, sha256), (got?.Size, got?.Sha256));
        Assert.Equal((size, sha256), (length, readSha256));
    }

    [Fact]
    public async Task SmallBackupIsStoredInOnePieceWithItsSha256()
    {
        using var timeout = Timeouts.Short();
        var store = Store();
        var sha256 = PatternStream.Sha256Of(1_000);

        await store.WriteAsync(First, new PatternStream(1_000), 1_000, sha256, timeout.Token);

        var got = await store.GetAsync(First, timeout.Token);
        Assert.Equal((1_000L, sha256), (got?.Size, got?.Sha256));
    }

    [Fact]
    public async Task RangedReadsReturnExactlyTheRequestedBytes()
    {
        using var timeout = Timeouts.Long();
        var store = Store();
        const long size = 20L * MiB + 5;
        await store.WriteAsync(First, new PatternStream(size), size, PatternStream.Sha256Of(size), timeout.Token);

        await using (var acrossParts = await store.OpenReadRangeAsync(First, 16L * MiB - 10, 100, timeout.Token))
        {
            await StreamAssert.HoldsPatternAsync(acrossParts, 16L * MiB - 10, 100, timeout.Token);
        }

        await using (var head = await store.OpenReadRangeAsync(First, 0, 10, timeout.Token))
        {
            await StreamAssert.HoldsPatternAsync(head, 0, 10, timeout.Token);
        }

        await using (var tail = await store.OpenReadRangeAsync(First, size - 1_000, null, timeout.Token))
        {
            await StreamAssert.HoldsPatternAsync(tail, size - 1_000, 1_000, timeout.Token);
        }

        var past = await Assert.ThrowsAsync<BackupStoreException>(() => store.OpenReadRangeAsync(First, size + 10, 5, timeout.Token));
        Assert.Equal(BackupStoreFailure.InvalidRange, past.Reason);
    }

    [Fact]
    public async Task DeleteRemovesTheBackupAndSaysWhetherThereWasOne()
    {
        using var timeout = Timeouts.Short();
        var store = Store();
        await store.WriteAsync(First, new PatternStream(10), 10, PatternStream.Sha256Of(10), timeout.Token);
        await store.WriteAsync(Second, new PatternStream(20), 20, PatternStream.Sha256Of(20), timeout.Token);

        var deleted = await store.DeleteAsync(First, timeout.Token);
        var deletedAgain = await store.DeleteAsync(First, timeout.Token);

        Assert.True(deleted);
        Assert.False(deletedAgain);
        Assert.False(await store.ExistsAsync(First, timeout.Token));
        Assert.Equal([Second], (await store.ListAsync(timeout.Token)).Select(backup => backup.Name));
    }

    [Fact]
    public async Task UploadWithWrongSha256IsRefusedAndLeavesNoObject()
    {
        using var timeout = Timeouts.Long();
        var store = Store();
        const long size = 17L * MiB;

        var error = await Assert.ThrowsAsync<BackupStoreException>(() =>
            store.WriteAsync(First, new PatternStream(size), size, PatternStream.Sha256Of(size - 1), timeout.Token));

        Assert.Equal(BackupStoreFailure.VerificationFailed, error.Reason);
        Assert.False(await store.ExistsAsync(First, timeout.Token));
        Assert.Empty(await store.ListAsync(timeout.Token));
    }

    [Fact]
    public async Task ExistingBackupIsNeverOverwritten()
    {
        using var timeout = Timeouts.Short();
        var store = Store();
        await store.WriteAsync(First, new PatternStream(100), 100, PatternStream.Sha256Of(100), timeout.Token);

        var error = await Assert.ThrowsAsync<BackupStoreException>(() =>
            store.WriteAsync(First, new PatternStream(50), 50, PatternStream.Sha256Of(50), timeout.Token));

        Assert.Equal(BackupStoreFailure.AlreadyExists, error.Reason);
        Assert.Equal(100, (await store.GetAsync(First, timeout.Token))?.Size);
    }

    [Fact]
    public async Task ReadingAMissingBackupFailsWithNotFound()
    {
        using var timeout = Timeouts.Short();
        var store = Store();
        await store.ListAsync(timeout.Token);

        var error = await Assert.ThrowsAsync<BackupStoreException>(() => store.OpenReadAsync(First, timeout.Token));

        Assert.Equal(BackupStoreFailure.NotFound, error.Reason);
        Assert.Contains(First, error.Message);
    }

    [Fact]
    public async Task ReadingFromABucketThatDoesNotExistFailsNamingTheBucket()
    {
        using var timeout = Timeouts.Short();
        var store = Store();

        var error = await Assert.ThrowsAsync<BackupStoreException>(() => store.OpenReadAsync(First, timeout.Token));

        Assert.Equal(BackupStoreFailure.BucketNotFound, error.Reason);
        Assert.Contains(_bucket, error.Message);
    }

    [Fact]
    public async Task ListShowsOnlyBackupsUnderTheStoresPrefix()
    {
        using var timeout = Timeouts.Short();
        var office = Store("office/");
        var farm = Store("farm");
        await office.WriteAsync(First, new PatternStream(10), 10, PatternStream.Sha256Of(10), timeout.Token);
        await farm.WriteAsync(Second, new PatternStream(10), 10, PatternStream.Sha256Of(10), timeout.Token);

        var officeList = await office.ListAsync(timeout.Token);
        var farmList = await farm.ListAsync(timeout.Token);

        Assert.Equal([First], officeList.Select(backup => backup.Name));
        Assert.Equal([Second], farmList.Select(backup => backup.Name));
    }

    [Fact]
    public async Task CancelledUploadLeavesNoObject()
    {
        using var timeout = Timeouts.Long();
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var store = Store();
        const long size = 40L * MiB;
        var content = new CancellingStream(new PatternStream(size), 20L * MiB, caller);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            store.WriteAsync(First, content, size, PatternStream.Sha256Of(size), caller.Token));

        Assert.False(await store.ExistsAsync(First, timeout.Token));
        Assert.Empty(await store.ListAsync(timeout.Token));
    }

    private S3BackupStore Store(string prefix = "")
    {
        var store = new S3BackupStore(new S3StoreOptions
        {
            Endpoint = server.Endpoint,
            Bucket = _bucket,
            Prefix = prefix,
            AccessKey = S3Server.AccessKey,
            SecretKey = S3Server.SecretKey,
            UseTls = false,
        });
        _stores.Add(store);
        return store;
    }
}
