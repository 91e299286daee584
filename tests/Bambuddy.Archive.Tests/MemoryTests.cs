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

    [Fact]
    public async Task MemoryRetainedWhileWritingDoesNotGrowWithTheEntryCount()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        using var dir = new TempDirectory();

        // Warm up first, so that what a first run loads and caches once is in both figures.
        await PeakRetainedBytesAsync(2_000, dir.Combine("tmp"), cts.Token);
        var smaller = await PeakRetainedBytesAsync(20_000, dir.Combine("tmp"), cts.Token);
        var larger = await PeakRetainedBytesAsync(40_000, dir.Combine("tmp"), cts.Token);

        // Holding 1.5 KB per entry, as ZipArchive in Create mode does, would add about 30 MB here.
        Assert.True(larger - smaller < 1 << 20, $"{smaller:N0} bytes retained with 20,000 entries, {larger:N0} with 40,000");
    }

    [Fact]
    public void WalkingTheDataFoldersRetainsNoMoreForTwiceTheFiles()
    {
        using var data = new TempDirectory();
        const int perFolder = 250;
        for (var folder = 0; folder < 48; folder++)
        {
            var path = data.Combine("archive", "1", $"2026010{folder % 10}_{folder:D4}_Job");
            Directory.CreateDirectory(path);
            for (var i = 0; i < perFolder; i++)
            {
                File.WriteAllBytes(Path.Combine(path, $"file{i:D4}.gcode"), []);
            }
        }

        PeakRetainedWhileWalking(data.Path, 1_000);
        var smaller = PeakRetainedWhileWalking(data.Path, 6_000);
        var larger = PeakRetainedWhileWalking(data.Path, 12_000);

        Assert.True(larger - smaller < 256 << 10, $"{smaller:N0} bytes retained after 6,000 files, {larger:N0} after 12,000");
    }

    /// <summary>The most managed memory still reachable at any of a few points during a write of tiny entries.</summary>
    private static async Task<long> PeakRetainedBytesAsync(int entries, string tempDirectory, CancellationToken cancellationToken)
    {
        var peak = 0L;
        var content = new byte[] { 42 };
        IEnumerable<BackupEntry> Entries()
        {
            for (var i = 0; i < entries; i++)
            {
                if (i % 5_000 == 4_999)
                {
                    peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
                }

                yield return new BackupEntry($"archive/many/{i:D6}.gcode", 1, _ => ValueTask.FromResult<Stream>(new MemoryStream(content, writable: false)), BackupEntryCompression.Deflate);
            }

            peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
        }

        var info = new BackupManifestInfo(DateTimeOffset.UnixEpoch, "sqlite", "f00d");
        var result = await BackupZipWriter.WriteAsync(
            Stream.Null,
            new BackupEntry("db", 1, _ => ValueTask.FromResult<Stream>(new MemoryStream(content, writable: false)), BackupEntryCompression.Deflate),
            Entries(),
            info,
            null,
            new BackupZipOptions { TempDirectory = tempDirectory },
            cancellationToken);
        Assert.Equal(entries + 2, result.EntryCount);
        return peak;
    }

    private static long PeakRetainedWhileWalking(string dataDirectory, int files)
    {
        var peak = 0L;
        var seen = 0;
        foreach (var _ in BackupEntryPlanner.Enumerate(dataDirectory, null, CancellationToken.None))
        {
            if (++seen % 1_000 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
            }

            if (seen == files)
            {
                break;
            }
        }

        Assert.Equal(files, seen);
        return peak;
    }
}
