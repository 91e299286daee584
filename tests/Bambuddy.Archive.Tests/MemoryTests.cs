using Bambuddy.Core.Archive;
using Bambuddy.Testing;

namespace Bambuddy.Archive.Tests;

[Collection(nameof(SerialCollection))]
public sealed class MemoryTests
{
    private const int MediaFiles = 6;
    private const int MediaFileMiB = 64;

    [Fact]
    public async Task WritingHundredsOfMegabytesOfMediaAllocatesLittleManagedMemory()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        using var dir = new TempDirectory();
        var (installation, _) = await LocalBackupWriterTests.CreateSqliteInstallationAsync(dir, cts.Token);
        var chunk = new byte[1 << 20];
        new Random(7).NextBytes(chunk);
        for (var i = 0; i < MediaFiles; i++)
        {
            Directory.CreateDirectory(dir.Combine("data", "archive", "1", $"job{i}"));
            await using var file = File.Create(dir.Combine("data", "archive", "1", $"job{i}", "timelapse.mp4"));
            for (var m = 0; m < MediaFileMiB; m++)
            {
                chunk[0] = (byte)m;
                await file.WriteAsync(chunk, cts.Token);
            }
        }

        var dataBytes = (long)MediaFiles * MediaFileMiB << 20;
        var writer = new LocalBackupWriter();
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var result = await writer.WriteAsync(installation, dir.Combine("out"), dir.Combine("tmp"), TimeZoneInfo.Utc, null, cts.Token);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(result.Size > dataBytes);
        Assert.True(allocated < dataBytes / 20, $"{allocated:N0} bytes allocated to write {dataBytes:N0} bytes of media");
    }
}
