using Bambuddy.Core.Storage;
using Bambuddy.Testing;

namespace Bambuddy.Storage.Tests;

public sealed class BackupNameTests : IDisposable
{
    private const string Sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private readonly TempDirectory _temp = new("bambuddy-store-test-");

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string> RefusedNames => new()
    {
        { "../x", "path" },
        { "/etc/passwd", "path" },
        { "bambuddy.db", "not a backup name" },
        { "x.zip", "not a backup name" },
        { "..", "'..'" },
        { "bambuddy-backup-..zip", "'..'" },
        { "bambuddy-backup-a\\b.zip", "path" },
        { "bambuddy-backup-20260101-000000.zip\0.txt", "NUL" },
        { "bambuddy-backup-20260101-000000.zip/", "path" },
        { "bambuddy-backup-.zip", "not a backup name" },
        { "", "required" },
    };

    [Theory]
    [MemberData(nameof(RefusedNames))]
    public async Task DirectoryStoreRefusesNamesThatAreNotPlainBackupNames(string name, string reason)
    {
        using var timeout = Timeouts.Short();
        var folder = _temp.Combine("backups");
        var store = new DirectoryBackupStore(folder);

        var write = await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync(name, new MemoryStream(), 0, Sha256, timeout.Token));
        var read = await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(name, timeout.Token));
        var delete = await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(name, timeout.Token));

        Assert.All(new[] { write, read, delete }, error => Assert.Contains(reason, error.Message));
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any());
    }

    [Theory]
    [MemberData(nameof(RefusedNames))]
    public async Task S3StoreRefusesThemBeforeAnyRequest(string name, string reason)
    {
        using var timeout = Timeouts.Short();
        // Nothing listens there: a request would fail as unreachable, not as an argument.
        using var store = new S3BackupStore(new S3StoreOptions
        {
            Endpoint = "127.0.0.1:9", Bucket = "names", AccessKey = "x", SecretKey = "y", UseTls = false,
        });

        var write = await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync(name, new MemoryStream(), 0, Sha256, timeout.Token));
        var range = await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadRangeAsync(name, 0, 1, timeout.Token));
        var exists = await Assert.ThrowsAsync<ArgumentException>(() => store.ExistsAsync(name, timeout.Token));

        Assert.All(new[] { write, range, exists }, error => Assert.Contains(reason, error.Message));
    }

    [Fact]
    public async Task ShaThatIsNotHexIsRefused()
    {
        using var timeout = Timeouts.Short();
        var store = new DirectoryBackupStore(_temp.Combine("backups"));

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            store.WriteAsync("bambuddy-backup-20260101-000000.zip", new MemoryStream(), 0, "abc", timeout.Token));

        Assert.Contains("64 hexadecimal digits", error.Message);
    }
}
