using System.Text;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Restore;
using Bambuddy.Core.Restore.Zip;

namespace Bambuddy.Restore.Tests.Zip;

/// <summary>A corpus of hostile ZIPs, forged byte by byte: each is refused with a reason naming the fault, and writes nothing.</summary>
public sealed class HostileZipTests
{
    private static RawZipEntry Database => RawZipEntry.Stored("bambuddy.db", "SQLite format 3\0 pretend");

    private static RawZipEntry File(string name) => RawZipEntry.Stored(name, "content of " + name);

    [Theory]
    [InlineData("../x", "'..' path segment")]
    [InlineData("a/../../x", "'..' path segment")]
    [InlineData("archive/..", "'..' path segment")]
    [InlineData("/etc/x", "absolute path")]
    [InlineData("..\\x", "backslash")]
    [InlineData("C:\\x", "drive letter")]
    [InlineData("c:x", "drive letter")]
    [InlineData("archive\\1\\x.3mf", "backslash")]
    [InlineData("./x", "'.' path segment")]
    [InlineData("archive/./x", "'.' path segment")]
    [InlineData("archive//x", "empty path segment")]
    public async Task UnsafeNameIsRefusedAtOpenAndNothingIsWritten(string name, string reason)
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File(name));

        await bed.AssertRefusedAsync(RefusedAt.Open, null, $"Entry '{name}'", reason);
    }

    [Fact]
    public async Task NameWithNulIsRefusedAndShownEscaped()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File("archive/a\0.3mf"));

        await bed.AssertRefusedAsync(RefusedAt.Open, null, @"Entry 'archive/a\u0000.3mf'", "NUL character");
    }

    [Fact]
    public async Task EmptyNameIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File(""));

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry ''", "empty name");
    }

    [Fact]
    public async Task NameOverTheByteLimitIsRefused()
    {
        using var bed = new ZipTestBed();
        var name = string.Join('/', Enumerable.Repeat(new string('a', 200), 6))[..1025];
        bed.Write(Database, File(name));

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "name of 1025 bytes, over the limit of 1024");
    }

    [Fact]
    public async Task PathSegmentLongerThanAFileSystemAllowsIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File("archive/" + new string('é', 128)));

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "path segment longer than 255 bytes");
    }

    [Fact]
    public async Task DuplicateNameIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File("archive/1/a.3mf"), File("archive/1/a.3mf"));

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/1/a.3mf' is in the ZIP twice");
    }

    [Fact]
    public async Task NameThatIsBothAFileAndAFolderIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File("archive/1"), File("archive/1/a.3mf"));

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/1' is both a file and a folder");
    }

    [Fact]
    public async Task SymbolicLinkIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, RawZipEntry.Stored("archive/evil", "/etc/passwd") with { ExternalAttributes = 0xA1FFu << 16 });

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/evil' is a symbolic link");
    }

    [Fact]
    public async Task UnixFileThatIsNotRegularIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File("archive/fifo") with { ExternalAttributes = 0x11A4u << 16 });

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/fifo' is not a regular file (Unix mode 010644)");
    }

    [Fact]
    public async Task WindowsReparsePointIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File("archive/junction") with { VersionMadeBy = 10 << 8 | 20, ExternalAttributes = 0x400 });

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/junction' is a link (a Windows reparse point)");
    }

    [Theory]
    [InlineData(1 << 0)]
    [InlineData(1 << 0 | 1 << 6)]
    public async Task EncryptedEntryIsRefused(int flags)
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File("archive/secret.3mf") with { Flags = (ushort)flags });

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/secret.3mf' is encrypted");
    }

    [Fact]
    public async Task AesEntryIsRefusedAsEncrypted()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File("archive/secret.3mf") with { Method = 99 });

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/secret.3mf' is encrypted");
    }

    [Theory]
    [InlineData(12)]
    [InlineData(14)]
    [InlineData(9)]
    public async Task UnknownCompressionMethodIsRefused(int method)
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File("archive/a.bin") with { Method = (ushort)method });

        await bed.AssertRefusedAsync(RefusedAt.Open, null, $"Entry 'archive/a.bin' uses compression method {method}");
    }

    [Fact]
    public async Task ZipBombIsRefusedByItsCompressionRatio()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, RawZipEntry.Deflated("archive/zeros.bin", new byte[20 << 20]));

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/zeros.bin' would expand", "over the limit of 200:1");
    }

    [Fact]
    public async Task EntryThatInflatesPastItsDeclaredSizeIsRefusedAndNotWrittenPastIt()
    {
        using var bed = new ZipTestBed();
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("G1 X10 Y20 E0.5\n", 200_000)));
        bed.Write(Database, RawZipEntry.Deflated("archive/a.gcode", text) with { UncompressedSize = 1000 });

        await bed.AssertRefusedAsync(RefusedAt.Extract, null, "Entry 'archive/a.gcode' inflates past its declared size of 1,000 bytes");
    }

    [Fact]
    public async Task EntryThatEndsShortOfItsDeclaredSizeIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, RawZipEntry.Deflated("archive/a.txt", new byte[1000]) with { UncompressedSize = 5000 });

        await bed.AssertRefusedAsync(RefusedAt.Extract, null, "Entry 'archive/a.txt' ends after 1,000 of its declared 5,000 bytes");
    }

    [Fact]
    public async Task StoredEntryWhoseSizesDifferIsRefused()
    {
        using var bed = new ZipTestBed();
        var entry = File("archive/a.png");
        bed.Write(Database, entry with { UncompressedSize = entry.UncompressedSize + 10 });

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/a.png' is stored uncompressed but declares");
    }

    [Fact]
    public async Task CrcMismatchIsRefusedAtExtraction()
    {
        using var bed = new ZipTestBed();
        var entry = File("archive/a.3mf");
        bed.Write(Database, entry with { Crc32 = entry.Crc32 ^ 1 });

        await bed.AssertRefusedAsync(RefusedAt.Extract, null, "Entry 'archive/a.3mf' fails its CRC-32 check");
    }

    [Fact]
    public async Task CrcMismatchIsRefusedByVerify()
    {
        using var bed = new ZipTestBed();
        var entry = RawZipEntry.Deflated("archive/a.txt", Encoding.ASCII.GetBytes("hello hello hello"));
        bed.Write(Database, entry with { Crc32 = entry.Crc32 ^ 0x8000_0000 });
        using var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits());

        var refused = await Assert.ThrowsAsync<BackupRefusedException>(() => zip.VerifyAsync(zip.Entries[1], ZipTestBed.Timeout()));

        Assert.Contains("Entry 'archive/a.txt' fails its CRC-32 check", refused.Message, StringComparison.Ordinal);
        await zip.VerifyAsync(zip.Database!, ZipTestBed.Timeout());
    }

    [Fact]
    public async Task DamagedDeflateDataIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, RawZipEntry.Deflated("archive/a.txt", new byte[100]) with { Data = [0xFF, 0xFF, 0xFF, 0xFF], CompressedSize = 4 });

        await bed.AssertRefusedAsync(RefusedAt.Extract, null, "Entry 'archive/a.txt' has damaged compressed data");
    }

    [Fact]
    public async Task HundredsOfThousandsOfEntriesAreRefusedByCountBeforeTheDirectoryIsRead()
    {
        using var bed = new ZipTestBed();
        RawZipWriter.Write(bed.ZipPath, Enumerable.Range(0, 150_000).Select(i => RawZipEntry.Stored($"archive/{i}", [1])).Prepend(Database));

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var refused = Assert.Throws<BackupRefusedException>(() => BackupZip.Open(bed.ZipPath, new RestoreLimits()));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Contains("150,001 entries, over the limit of 100,000", refused.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1 << 20, $"Open allocated {allocated:N0} bytes to refuse it");
        await bed.AssertRefusedAsync(RefusedAt.Open, null, "over the limit of 100,000");
    }

    [Fact]
    public async Task TruncatedZipIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, RawZipEntry.Deflated("archive/a.txt", new byte[10_000]), File("archive/b.txt"));
        var bytes = await System.IO.File.ReadAllBytesAsync(bed.ZipPath, ZipTestBed.Timeout());
        await System.IO.File.WriteAllBytesAsync(bed.ZipPath, bytes[..(bytes.Length - 10)], ZipTestBed.Timeout());

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "not a ZIP, or it is truncated", "no end-of-central-directory record");
    }

    [Fact]
    public async Task FileThatIsNotAZipIsRefused()
    {
        using var bed = new ZipTestBed();
        await System.IO.File.WriteAllTextAsync(bed.ZipPath, new string('x', 5000), ZipTestBed.Timeout());

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "not a ZIP");
    }

    [Fact]
    public async Task EmptyFileIsRefused()
    {
        using var bed = new ZipTestBed();
        await System.IO.File.WriteAllBytesAsync(bed.ZipPath, [], ZipTestBed.Timeout());

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "not a ZIP: it is too short");
    }

    [Fact]
    public async Task CentralDirectoryOutsideTheFileIsRefused()
    {
        using var bed = new ZipTestBed();
        RawZipWriter.Write(bed.ZipPath, [Database, File("archive/a")], new RawZipOptions { DirectoryOffsetShift = 4096 });

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "central directory lies outside the file");
    }

    [Fact]
    public async Task CentralDirectoryWithMoreEntriesThanDeclaredIsRefused()
    {
        using var bed = new ZipTestBed();
        RawZipWriter.Write(bed.ZipPath, [Database, File("archive/a")], new RawZipOptions { DeclaredEntryCount = 1 });

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "holds more than the 1 entries");
    }

    [Fact]
    public async Task LocalHeaderNamingAnotherFileIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File("archive/a.3mf") with { LocalName = Encoding.ASCII.GetBytes("../../a.3mf") });

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/a.3mf' is named '../../a.3mf' in its local header");
    }

    [Fact]
    public async Task EntryDeclaringMoreDataThanTheFileHoldsIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, RawZipEntry.Deflated("archive/a.txt", new byte[1000]) with { CompressedSize = 1 << 20 });

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/a.txt' declares 1,048,576 bytes of data, more than the ZIP holds there");
    }

    [Fact]
    public async Task EntriesSharingBytesAreRefused()
    {
        using var bed = new ZipTestBed();
        var inner = File("archive/b");
        var outer = File("archive/a");
        var span = (ulong)(outer.Data.Length + 30 + inner.Name.Length + inner.Data.Length);
        bed.Write(Database, outer with { CompressedSize = span, UncompressedSize = span }, inner);

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/b' overlaps entry 'archive/a'");
    }

    [Fact]
    public async Task CancelledExtractionRemovesTheStagingFolderItCreated()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File("archive/a"), File("archive/b"));
        using var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits());
        using var cancel = new CancellationTokenSource();
        var staging = Path.Combine(bed.Work, "new-staging");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => zip.ExtractAllAsync(staging, _ => true, new ListProgress<ExtractionProgress>(_ => cancel.Cancel()), cancel.Token));

        Assert.False(Directory.Exists(staging));
    }

    [Fact]
    public async Task Zip64MarkerWithoutItsExtraFieldIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File("archive/a") with { Zip64WithoutExtra = true });

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/a' has sizes marked as Zip64 but no Zip64 extra field");
    }

    [Fact]
    public async Task Zip64SizeThatDoesNotFitIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File("archive/a") with { Zip64 = true, UncompressedSize = ulong.MaxValue - 1, CompressedSize = ulong.MaxValue - 1 });

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/a' has Zip64 sizes that do not fit");
    }

    [Fact]
    public async Task ZipWithoutTheDatabaseIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(File("archive/a.3mf"), File("Bambuddy.db"));

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "no top-level 'bambuddy.db'");
    }

    [Fact]
    public async Task DatabaseOnlyInASubfolderIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(File("backup/bambuddy.db"), File("backup/archive/a.3mf"));

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "'bambuddy.db' is only in a subfolder ('backup/bambuddy.db')");
    }

    [Fact]
    public async Task DatabaseAsAFolderIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(RawZipEntry.Directory("bambuddy.db/"), File("archive/a.3mf"));

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "'bambuddy.db' is a folder in this ZIP, not a file");
    }

    [Fact]
    public async Task DatabaseAsAFolderOfFilesIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(File("bambuddy.db/main"), File("archive/a.3mf"));

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "'bambuddy.db' is a folder in this ZIP, not a file");
    }

    [Fact]
    public async Task DatabaseWithDirectoryModeIsRefused()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database with { ExternalAttributes = 0x41EDu << 16 }, File("archive/a.3mf"));

        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'bambuddy.db' is a directory whose name does not end in '/'");
    }

    [Fact]
    public async Task ManifestSizeMismatchIsRefusedBeforeAnythingIsWritten()
    {
        using var bed = new ZipTestBed();
        var a = File("archive/a.3mf");
        bed.Write(Database, a, Manifest((Database, null, null), (a, (long)a.UncompressedSize + 1, null)));

        await bed.AssertRefusedAsync(RefusedAt.Extract, null, "Entry 'archive/a.3mf' is 24 bytes in the ZIP but 25 bytes in 'backup-manifest.json'");
    }

    [Fact]
    public async Task ManifestHashMismatchIsRefused()
    {
        using var bed = new ZipTestBed();
        var a = File("archive/a.3mf");
        bed.Write(Database, a, Manifest((Database, null, null), (a, null, new string('0', 64))));

        await bed.AssertRefusedAsync(RefusedAt.Extract, null, "Entry 'archive/a.3mf' does not match its SHA-256 in 'backup-manifest.json'");
    }

    [Fact]
    public async Task ManifestListingAMissingEntryIsRefused()
    {
        using var bed = new ZipTestBed();
        var a = File("archive/a.3mf");
        bed.Write(Database, a, Manifest((Database, null, null), (a, null, null), (File("archive/gone.mp4"), null, null)));

        await bed.AssertRefusedAsync(RefusedAt.Extract, null, "Entry 'archive/gone.mp4' is listed in 'backup-manifest.json' but is not in the ZIP");
    }

    [Fact]
    public async Task EntryTheManifestDoesNotListIsRefused()
    {
        using var bed = new ZipTestBed();
        var a = File("archive/a.3mf");
        bed.Write(Database, a, File("archive/smuggled.3mf"), Manifest((Database, null, null), (a, null, null)));

        await bed.AssertRefusedAsync(RefusedAt.Extract, null, "Entry 'archive/smuggled.3mf' is in the ZIP but not listed in 'backup-manifest.json'");
    }

    [Fact]
    public async Task FailureHalfwayRemovesWhatWasAlreadyExtracted()
    {
        using var bed = new ZipTestBed();
        var bad = File("icons/bad.svg");
        bed.Write(Database, File("archive/1/a.3mf"), RawZipEntry.Deflated("archive/1/b.gcode", RandomBytes(3 << 20)), bad with { Crc32 = ~bad.Crc32 });
        using var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits());
        var selected = new List<string>();

        var refused = await Assert.ThrowsAsync<BackupRefusedException>(() => zip.ExtractAllAsync(
            bed.Staging,
            e =>
            {
                selected.Add(e.Name);
                return true;
            },
            null,
            ZipTestBed.Timeout()));

        Assert.Contains("Entry 'icons/bad.svg' fails its CRC-32 check", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["bambuddy.db", "archive/1/a.3mf", "archive/1/b.gcode", "icons/bad.svg"], selected);
        Assert.True(Directory.Exists(bed.Staging), "a staging folder that existed before is kept");
        bed.AssertStagingEmpty();
    }

    [Fact]
    public async Task FailureRemovesAStagingFolderItCreated()
    {
        using var bed = new ZipTestBed();
        var bad = File("archive/a.3mf");
        bed.Write(Database, File("archive/ok.3mf"), bad with { Crc32 = ~bad.Crc32 });
        using var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits());
        var staging = Path.Combine(bed.Work, "new-staging");

        await Assert.ThrowsAsync<BackupRefusedException>(() => zip.ExtractAllAsync(staging, _ => true, null, ZipTestBed.Timeout()));

        Assert.False(Directory.Exists(staging));
    }

    [Fact]
    public async Task DatabaseExtractionThatFailsLeavesNoFile()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database with { Crc32 = 0 }, File("archive/a.3mf"));
        using var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits());
        var target = Path.Combine(bed.Staging, "bambuddy.db");

        var refused = await Assert.ThrowsAsync<BackupRefusedException>(() => zip.ExtractToFileAsync(zip.Database!, target, ZipTestBed.Timeout()));

        Assert.Contains("Entry 'bambuddy.db' fails its CRC-32 check", refused.Message, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(target));
    }

    [Fact]
    public async Task DatabaseNotMatchingTheManifestLeavesNoFile()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, Manifest((Database, null, new string('a', 64))));
        using var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits());
        var target = Path.Combine(bed.Staging, "bambuddy.db");

        var refused = await Assert.ThrowsAsync<BackupRefusedException>(() => zip.ExtractToFileAsync(zip.Database!, target, ZipTestBed.Timeout()));

        Assert.Contains("Entry 'bambuddy.db' does not match its SHA-256", refused.Message, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(target));
    }

    /// <summary>Our manifest for the given entries; a size or hash given replaces the true one.</summary>
    private static RawZipEntry Manifest(params (RawZipEntry Entry, long? Size, string? Sha256)[] entries)
    {
        var listed = entries.Select(e =>
        {
            var content = e.Entry.Method == 0 ? e.Entry.Data : Inflate(e.Entry.Data);
            return new BackupManifestEntry(
                Encoding.UTF8.GetString(e.Entry.Name),
                e.Size ?? content.Length,
                e.Sha256 ?? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)));
        }).ToList();
        var manifest = new BackupManifest(1, DateTimeOffset.UnixEpoch, "sqlite", "f00d", listed);
        return RawZipEntry.Deflated(BackupManifest.FileName, manifest.ToUtf8Json());
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    private static byte[] Inflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var inflate = new System.IO.Compression.DeflateStream(new MemoryStream(data), System.IO.Compression.CompressionMode.Decompress))
        {
            inflate.CopyTo(output);
        }

        return output.ToArray();
    }
}
