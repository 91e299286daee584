using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Restore;
using Bambuddy.Core.Restore.Zip;

namespace Bambuddy.Restore.Tests.Zip;

/// <summary>
/// The compact catalog (issue #4, flat memory): names are found through 64-bit hashes that are always confirmed on
/// the real names, so forced collisions change nothing; the manifest is parsed as it streams; its digests go to a
/// temp file that never shows in any folder.
/// </summary>
public sealed class CompactCatalogTests
{
    private static readonly ZipNameHash _allCollide = _ => 42;

    private static RawZipEntry Database => RawZipEntry.Stored("bambuddy.db", "SQLite format 3\0 pretend");

    private static RawZipEntry File(string name) => RawZipEntry.Stored(name, "content of " + name);

    [Fact]
    public async Task NamesWhoseHashesCollideAreStillDistinctEntries()
    {
        using var bed = new ZipTestBed();
        RawZipEntry[] files = [File("archive/1/a.3mf"), File("archive/1/b.3mf"), File("archive/2/a.3mf"), File("archive/10/a.3mf")];
        bed.Write([Database, .. files, Manifest([Database, .. files])]);
        var ct = ZipTestBed.Timeout();

        using var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits(), _allCollide);
        var result = await zip.ExtractAllAsync(bed.Staging, e => e.Name != "bambuddy.db" && e.Name != BackupManifest.FileName, null, ct);

        Assert.Equal(4, result.Entries);
        Assert.Empty(result.Warnings);
        foreach (var file in files)
        {
            var name = Encoding.UTF8.GetString(file.Name);
            Assert.Equal("content of " + name, await System.IO.File.ReadAllTextAsync(Path.Combine(bed.Staging, name), ct));
        }

        Assert.Equal("archive/2/a.3mf", zip.Entries[3].Name);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes("content of archive/10/a.3mf")),
            Convert.FromHexString(await zip.ExtractToFileAsync(zip.Entries[4], Path.Combine(bed.Work, "10a"), ct)));
    }

    [Fact]
    public async Task DuplicateAmongCollidingNamesIsRefusedNamingIt()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File("archive/x.3mf"), File("archive/y.3mf"), File("archive/x.3mf"));

        var refused = Assert.Throws<BackupRefusedException>(() => BackupZip.Open(bed.ZipPath, new RestoreLimits(), _allCollide));

        Assert.Equal("Entry 'archive/x.3mf' is in the ZIP twice.", refused.Message);
        await bed.AssertRefusedAsync(RefusedAt.Open, null, "Entry 'archive/x.3mf' is in the ZIP twice");
    }

    [Fact]
    public void FileThatIsAFolderIsFoundAmongCollidingNames()
    {
        using var bed = new ZipTestBed();
        bed.Write(Database, File("archive/b"), File("archive/a"), File("archive/a/inner.3mf"));

        var refused = Assert.Throws<BackupRefusedException>(() => BackupZip.Open(bed.ZipPath, new RestoreLimits(), _allCollide));

        Assert.Equal("Entry 'archive/a' is both a file and a folder in the ZIP.", refused.Message);
    }

    [Fact]
    public async Task ManifestListingANameThatOnlySharesAHashIsRefused()
    {
        using var bed = new ZipTestBed();
        var a = File("archive/a.3mf");
        bed.Write(Database, a, Manifest([Database, a, File("archive/not-here.3mf")]));

        using var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits(), _allCollide);
        var refused = await Assert.ThrowsAsync<BackupRefusedException>(() => zip.ExtractAllAsync(bed.Staging, _ => true, null, ZipTestBed.Timeout()));

        Assert.Equal("Entry 'archive/not-here.3mf' is listed in 'backup-manifest.json' but is not in the ZIP.", refused.Message);
        bed.AssertStagingEmpty();
    }

    [Fact]
    public async Task DigestsTempFileLeavesNothingInTheRestoreFolder()
    {
        using var bed = new ZipTestBed();
        var a = File("archive/a.3mf");
        bed.Write(Database, a, Manifest([Database, a]));
        var before = bed.Snapshot();

        using (var zip = BackupZip.Open(bed.ZipPath, new RestoreLimits()))
        {
            await zip.ExtractAllAsync(bed.Staging, _ => true, null, ZipTestBed.Timeout());
            Assert.Equal(
                ["archive", "backup-manifest.json", "bambuddy.db"],
                Directory.EnumerateFileSystemEntries(bed.Staging).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }

        Assert.Equal(before, bed.Snapshot());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void ManifestParsedInChunksListsWhatTheWholeManifestDoes(int chunk)
    {
        var listed = Enumerable.Range(0, 300).Select(i => new BackupManifestEntry($"archive/{i}/Würfel \"{i}\".3mf", i * 1000L, new string('a', 64))).ToList();
        var json = new BackupManifest(1, DateTimeOffset.UnixEpoch, "sqlite", "f00d", listed).ToUtf8Json();
        var seen = new List<BackupManifestEntry>();
        var parser = new ManifestStreamParser((path, size, sha256) => seen.Add(new BackupManifestEntry(path!, size, sha256!)));

        for (var offset = 0; offset < json.Length; offset += chunk)
        {
            parser.Feed(json.AsSpan(offset, Math.Min(chunk, json.Length - offset)));
        }

        parser.Finish();
        Assert.Equal(listed, seen);
    }

    [Fact]
    public void ManifestParserSkipsUnknownPropertiesAndTakesNullEntries()
    {
        var json = """{"extra":{"a":[1,{"entries":[{"path":"x"}]}]},"format_version":1,"entries":[null,{"note":[1,2],"path":"p","size":3,"sha256":null}],"created_at":"2026-01-01T00:00:00Z"}"""u8;
        var seen = new List<(string?, long, string?)>();
        var parser = new ManifestStreamParser((path, size, sha256) => seen.Add((path, size, sha256)));

        foreach (var b in json.ToArray())
        {
            parser.Feed([b]);
        }

        parser.Finish();
        Assert.Equal([(null, 0L, null), ("p", 3L, null)], seen);
    }

    [Theory]
    [InlineData("""{"entries":[{"path":"p","size":1,"sha256":"x"}]""")]
    [InlineData("""{"entries":[{"path":"p","size":"1"}]}""")]
    [InlineData("""{"entries":[1]}""")]
    [InlineData("""[]""")]
    [InlineData("""{"format_version":"1"}""")]
    [InlineData("""{"created_at":"yesterday"}""")]
    [InlineData("""{} {}""")]
    [InlineData("")]
    public void ManifestThatIsNotValidIsAJsonError(string json)
    {
        var parser = new ManifestStreamParser((_, _, _) => { });

        parser.Feed(Encoding.UTF8.GetBytes(json));

        Assert.ThrowsAny<JsonException>(parser.Finish);
    }

    [Fact]
    public void SyntaxErrorAfterARefusedEntryWinsOverTheRefusal()
    {
        var parser = new ManifestStreamParser((_, _, _) => throw new BackupRefusedException(BackupRefusedException.ValidateStep, "refused."));

        parser.Feed("""{"entries":[{"path":"p","size":1,"sha256":"x"},"""u8);
        parser.Feed("""oops]}"""u8);

        Assert.ThrowsAny<JsonException>(parser.Finish);
    }

    [Fact]
    public void FirstRefusedEntryIsThrownOnceTheManifestIsWhole()
    {
        var calls = 0;
        var parser = new ManifestStreamParser((path, _, _) =>
        {
            calls++;
            throw new BackupRefusedException(BackupRefusedException.ValidateStep, $"refused {path}.");
        });

        parser.Feed("""{"entries":[{"path":"p1","size":1},{"path":"p2","size":1}]}"""u8);

        Assert.Equal("refused p1.", Assert.Throws<BackupRefusedException>(parser.Finish).Message);
        Assert.Equal(1, calls);
    }

    /// <summary>Our manifest for the given entries, with their true sizes and hashes.</summary>
    private static RawZipEntry Manifest(RawZipEntry[] entries)
    {
        var listed = entries.Select(e => new BackupManifestEntry(
            Encoding.UTF8.GetString(e.Name), e.Data.Length, Convert.ToHexStringLower(SHA256.HashData(e.Data)))).ToList();
        return RawZipEntry.Deflated(BackupManifest.FileName, new BackupManifest(1, DateTimeOffset.UnixEpoch, "sqlite", "f00d", listed).ToUtf8Json());
    }
}
