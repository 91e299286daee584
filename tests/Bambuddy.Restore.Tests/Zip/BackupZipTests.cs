using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Restore.Zip;
using Bambuddy.DemoData;
using Bambuddy.Testing;

namespace Bambuddy.Restore.Tests.Zip;

public sealed class BackupZipTests
{
    private static readonly byte[] _database = Encoding.ASCII.GetBytes("SQLite format 3\0 pretend database");

    [Fact]
    public async Task BackupMadeByOurWriterExtractsEveryFileWithTheSourceSha256()
    {
        var ct = ZipTestBed.Timeout(3);
        using var dir = new TempDirectory();
        var demo = await new DemoInstallationGenerator(new DemoInstallationOptions(dir.Combine("data")) { MediaBytes = 8L << 20 }).GenerateAsync(ct);
        var backup = await new LocalBackupWriter().WriteAsync(demo.Installation, dir.Combine("out"), dir.Combine("tmp"), TimeZoneInfo.Utc, null, ct);
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in BackupEntryPlanner.Plan(demo.Installation.DataDirectory, ct).Entries)
        {
            expected[entry.Name] = await Sha256Async(Path.Combine(demo.Installation.DataDirectory, entry.Name), ct);
        }

        using var zip = BackupZip.Open(backup.FullPath, new RestoreLimits());
        var databaseSha256 = await zip.ExtractToFileAsync(zip.Database!, dir.Combine("bambuddy.db"), ct);
        var progress = new ListProgress<ExtractionProgress>();
        var result = await zip.ExtractAllAsync(dir.Combine("staging"), e => e.Name is not ("bambuddy.db" or BackupManifest.FileName), progress, ct);

        Assert.True(zip.HasManifest);
        Assert.Equal(backup.EntryCount, zip.Entries.Count);
        Assert.Equal(await Sha256Async(dir.Combine("bambuddy.db"), ct), databaseSha256);
        Assert.Empty(result.Warnings);
        Assert.Equal(expected.Count, result.Entries);
        Assert.True(expected.Count > 20, $"only {expected.Count} data files");
        Assert.Equal(expected, await HashTreeAsync(dir.Combine("staging"), ct));
        Assert.Equal(zip.TotalUncompressedBytes - zip.Database!.UncompressedSize - zip.Entries.Single(e => e.Name == BackupManifest.FileName).UncompressedSize, result.Bytes);
        Assert.Equal(new ExtractionProgress(result.Bytes, result.Bytes, result.Entries, result.Entries), progress.Reports[^1]);
        Assert.Contains(zip.Entries, e => e.Method == 0);
        Assert.Contains(zip.Entries, e => e.Method == 8);
        foreach (var entry in zip.Entries)
        {
            await zip.VerifyAsync(entry, ct);
        }
    }

    [Fact]
    public async Task BambuddyStyleZipAllDeflatedWithoutManifestIsAcceptedWithAWarning()
    {
        var ct = ZipTestBed.Timeout();
        using var bed = new ZipTestBed();
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [".mfa_encryption_key"] = Encoding.ASCII.GetBytes("c2VjcmV0IGtleSBmb3IgdGVzdHMgb25seSAhISEhIQ=="),
            ["archive/1/20260101_120000_Benchy/Benchy.gcode.3mf"] = RandomBytes(3 << 20, 1),
            ["archive/2/Würfel mit Öse/Würfel.3mf"] = RandomBytes(70_000, 2),
            ["icons/spool.svg"] = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("<svg/>", 5000))),
            ["projects/3/attachments/empty.pdf"] = [],
        };
        using (var zipFile = System.IO.File.Create(bed.ZipPath))
        using (var archive = new ZipArchive(zipFile, ZipArchiveMode.Create))
        {
            foreach (var (name, content) in files.Prepend(new("bambuddy.db", _database)))
            {
                await using var stream = await archive.CreateEntry(name, CompressionLevel.Optimal).OpenAsync(ct);
                await stream.WriteAsync(content, ct);
            }
        }

        using var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits());
        var result = await zip.ExtractAllAsync(bed.Staging, e => e != zip.Database, null, ct);

        Assert.False(zip.HasManifest);
        Assert.All(zip.Entries.Where(e => e.UncompressedSize > 0), e => Assert.Equal(8, e.Method));
        Assert.Equal([BackupZip.NoManifestWarning], result.Warnings);
        Assert.Equal("no backup-manifest.json: a Bambuddy-made backup, checksums not verified", result.Warnings[0]);
        Assert.Equal(new SortedDictionary<string, string>(files.ToDictionary(f => f.Key, f => Convert.ToHexStringLower(SHA256.HashData(f.Value))), StringComparer.Ordinal), await HashTreeAsync(bed.Staging, ct));
        Assert.Equal(files.Values.Sum(f => (long)f.Length) + _database.Length, zip.TotalUncompressedBytes);
    }

    [Fact]
    public async Task ZipWithMoreThan65535EntriesIsReadThroughItsZip64EndRecord()
    {
        var ct = ZipTestBed.Timeout();
        using var bed = new ZipTestBed();
        RawZipWriter.Write(bed.ZipPath, Enumerable.Range(0, 70_000).Select(i => RawZipEntry.Stored($"archive/{i / 1000}/{i}.txt", $"file {i}")).Prepend(RawZipEntry.Stored("bambuddy.db", _database)));

        using var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits());
        var result = await zip.ExtractAllAsync(bed.Staging, e => e.Name.EndsWith("999.txt", StringComparison.Ordinal), null, ct);

        Assert.Equal(70_001, zip.Entries.Count);
        Assert.Equal("archive/69/69999.txt", zip.Entries[^1].Name);
        Assert.Equal(70, result.Entries);
        Assert.Equal("file 69999", await System.IO.File.ReadAllTextAsync(Path.Combine(bed.Staging, "archive", "69", "69999.txt"), ct));
    }

    [Fact]
    public async Task Zip64ExtraFieldsGiveTheSizesAndOffsets()
    {
        var ct = ZipTestBed.Timeout();
        using var bed = new ZipTestBed();
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("G1 X1 Y2\n", 10_000)));
        RawZipWriter.Write(
            bed.ZipPath,
            [RawZipEntry.Stored("bambuddy.db", _database) with { Zip64 = true }, RawZipEntry.Deflated("archive/a.gcode", text) with { Zip64 = true }],
            new RawZipOptions { ForceZip64End = true });

        using var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits());
        await zip.ExtractAllAsync(bed.Staging, _ => true, null, ct);

        Assert.Equal(text.Length, zip.Entries[1].UncompressedSize);
        Assert.Equal(text, await System.IO.File.ReadAllBytesAsync(Path.Combine(bed.Staging, "archive", "a.gcode"), ct));
        Assert.Equal(_database, await System.IO.File.ReadAllBytesAsync(Path.Combine(bed.Staging, "bambuddy.db"), ct));
    }

    [Fact]
    public async Task DirectoryEntriesDataDescriptorsAndACommentAreAccepted()
    {
        var ct = ZipTestBed.Timeout();
        using var bed = new ZipTestBed();
        var comment = new byte[300];
        "PK\u0005\u0006"u8.CopyTo(comment.AsSpan(100));
        RawZipWriter.Write(
            bed.ZipPath,
            [
                RawZipEntry.Directory("archive/"),
                RawZipEntry.Directory("archive/1/"),
                RawZipEntry.Deflated("archive/1/a.txt", Encoding.ASCII.GetBytes("streamed")) with { DataDescriptor = true },
                RawZipEntry.Stored("bambuddy.db", _database) with { DataDescriptor = true, VersionMadeBy = 0 << 8 | 20, ExternalAttributes = 0x20 },
            ],
            new RawZipOptions { Comment = comment });

        using var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits());
        await zip.ExtractAllAsync(bed.Staging, _ => true, null, ct);

        Assert.Equal(["archive/1/a.txt", "bambuddy.db"], zip.Entries.Select(e => e.Name));
        Assert.Equal("streamed", await System.IO.File.ReadAllTextAsync(Path.Combine(bed.Staging, "archive", "1", "a.txt"), ct));
    }

    [Fact]
    public async Task SmallFileOfZerosIsNoBombAndTheRatioLimitIsConfigurable()
    {
        var ct = ZipTestBed.Timeout();
        using var bed = new ZipTestBed();
        bed.Write(
            RawZipEntry.Stored("bambuddy.db", _database),
            RawZipEntry.Deflated("archive/small-zeros.bin", new byte[RestoreLimits.RatioFloorBytes]),
            RawZipEntry.Deflated("archive/big-zeros.bin", new byte[8 << 20]));

        Assert.Throws<Bambuddy.Core.Restore.BackupRefusedException>(() => BackupZip.Open(bed.ZipPath, new RestoreLimits()));
        using var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits(MaxCompressionRatio: 2000));
        var result = await zip.ExtractAllAsync(bed.Staging, _ => true, null, ct);

        Assert.Equal(3, result.Entries);
        Assert.Equal(8 << 20, new FileInfo(Path.Combine(bed.Staging, "archive", "big-zeros.bin")).Length);
    }

    [Fact]
    public void NamesWithoutTheUtf8FlagAreReadAsUtf8WhenValidElseAsCp437()
    {
        using var bed = new ZipTestBed();
        bed.Write(
            RawZipEntry.Stored("bambuddy.db", _database),
            RawZipEntry.Stored("archive/Würfel.3mf", "a") with { Flags = 0 },
            RawZipEntry.Stored("x", "b") with { Name = [(byte)'i', (byte)'/', 0x81, 0x9A, (byte)'.', (byte)'t'] });

        using var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits());

        Assert.Equal(["bambuddy.db", "archive/Würfel.3mf", "i/üÜ.t"], zip.Entries.Select(e => e.Name));
    }

    [Fact]
    public async Task ExtractionNeedsAnEmptyStagingFolderAndAnEntryOfThisZip()
    {
        var ct = ZipTestBed.Timeout();
        using var bed = new ZipTestBed();
        bed.Write(RawZipEntry.Stored("bambuddy.db", _database));
        await System.IO.File.WriteAllTextAsync(Path.Combine(bed.Staging, "old"), "x", ct);
        using var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits());

        await Assert.ThrowsAsync<IOException>(() => zip.ExtractAllAsync(bed.Staging, _ => true, null, ct));
        await Assert.ThrowsAsync<ArgumentException>(() => zip.VerifyAsync(zip.Database! with { Crc32 = 1 }, ct));
        Assert.Equal("x", await System.IO.File.ReadAllTextAsync(Path.Combine(bed.Staging, "old"), ct));
    }

    [Fact]
    public async Task ZipMadeByInfoZipWithFolderEntriesIsAcceptedAndItsSymlinkRefused()
    {
        var ct = ZipTestBed.Timeout();
        using var bed = new ZipTestBed();
        var source = Path.Combine(bed.Work, "source");
        Directory.CreateDirectory(Path.Combine(source, "archive", "1"));
        await System.IO.File.WriteAllBytesAsync(Path.Combine(source, "bambuddy.db"), _database, ct);
        await System.IO.File.WriteAllBytesAsync(Path.Combine(source, "archive", "1", "a.3mf"), RandomBytes(100_000, 3), ct);
        await RunZipAsync(source, ct, "-r", "-q", bed.ZipPath, "bambuddy.db", "archive");
        using (var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits()))
        {
            await zip.ExtractAllAsync(bed.Staging, _ => true, null, ct);
        }

        Assert.Equal(await Sha256Async(Path.Combine(source, "archive", "1", "a.3mf"), ct), await Sha256Async(Path.Combine(bed.Staging, "archive", "1", "a.3mf"), ct));

        File.CreateSymbolicLink(Path.Combine(source, "archive", "1", "passwd"), "/etc/passwd");
        System.IO.File.Delete(bed.ZipPath);
        Directory.Delete(bed.Staging, recursive: true);
        Directory.CreateDirectory(bed.Staging);
        await RunZipAsync(source, ct, "-r", "-q", "-y", bed.ZipPath, "bambuddy.db", "archive");
        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/1/passwd' is a symbolic link");
    }

    /// <summary>Runs Info-ZIP's <c>zip</c> (installed by eng/install-deps.sh).</summary>
    private static async Task RunZipAsync(string workingDirectory, CancellationToken ct, params string[] arguments)
    {
        var start = new ProcessStartInfo("zip", arguments) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = await process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        Assert.True(process.ExitCode == 0, await output + errors);
    }

    private static async Task<SortedDictionary<string, string>> HashTreeAsync(string root, CancellationToken ct)
    {
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            hashes[Path.GetRelativePath(root, file).Replace('\\', '/')] = await Sha256Async(file, ct);
        }

        return hashes;
    }

    private static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var stream = System.IO.File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
