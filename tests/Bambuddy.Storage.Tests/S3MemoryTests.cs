using Bambuddy.Core.Storage;
using Bambuddy.Testing;
using Xunit.Abstractions;

namespace Bambuddy.Storage.Tests;

[Collection(S3Collection.Name)]
public sealed class S3MemoryTests(S3Server server, ITestOutputHelper output)
{
    [Fact]
    public async Task Uploading200MegabytesAllocatesFarLessThanTheData()
    {
        using var timeout = Timeouts.Long();
        const long size = 200L << 20;
        var sha256 = PatternStream.Sha256Of(size);
        using var store = new S3BackupStore(new S3StoreOptions
        {
            Endpoint = server.Endpoint,
            Bucket = "memory-" + Guid.NewGuid().ToString("N")[..20],
            AccessKey = S3Server.AccessKey,
            SecretKey = S3Server.SecretKey,
            UseTls = false,
        });
        await store.ListAsync(timeout.Token);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var stored = await store.WriteAsync("bambuddy-backup-20260101-000000.zip", new PatternStream(size), null, sha256, timeout.Token);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        output.WriteLine($"Uploading {size:N0} bytes allocated {allocated:N0} bytes.");
        Assert.Equal((size, sha256), (stored.Size, stored.Sha256));
        // One 16 MiB part buffer and per-request bookkeeping; a copy of the data would be 200 MiB or more.
        Assert.True(allocated < size / 5, $"Uploading {size:N0} bytes allocated {allocated:N0} bytes.");
    }
}
