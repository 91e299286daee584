using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Bambuddy.Core.Archive;
using Bambuddy.Testing;

namespace Bambuddy.Archive.Tests;

/// <summary>The streaming ZIP format itself, read back by System.IO.Compression, Info-ZIP's unzip and Python's zipfile.</summary>
public sealed class ZipStreamWriterTests
{
    private static readonly BackupManifestInfo _info = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero), "postgresql", "beef");

    [Fact]
    public async Task ForcedZip64FieldsOnEveryEntryAndAtTheEndAreReadByAllThreeReaders()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();
        var hashes = TestInstallation.CreateDataDirectory(dir.Combine("data"));
        var plan = BackupEntryPlanner.Plan(dir.Combine("data"), cts.Token);
        var zipPath = dir.Combine("zip64.zip");

        BackupZipResult result;
        await using (var file = File.Create(zipPath))
        {
            result = await BackupZipWriter.WriteAsync(
                file,
                BackupZipWriterTests.MemoryEntry("db", Encoding.UTF8.GetBytes(new string('d', 70_000)), BackupEntryCompression.Deflate),
                plan.Entries,
                _info,
                null,
                new BackupZipOptions { TempDirectory = dir.Combine("tmp"), ForceZip64 = true },
                cts.Token);
        }

        var bytes = await File.ReadAllBytesAsync(zipPath, cts.Token);
        Assert.Equal(result.EntryCount, CountSignature(bytes, 0x02014b50));
        Assert.Equal(1, CountSignature(bytes, 0x06064b50)); // Zip64 end of central directory
        Assert.Equal(1, CountSignature(bytes, 0x07064b50)); // and its locator
        Assert.Equal(0xFFFF, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(bytes.Length - 12)));

        var entries = await ZipInspection.ReadEntriesAsync(zipPath, cts.Token);
        Assert.Equal(["bambuddy.db", .. hashes.Keys.Order(StringComparer.Ordinal), BackupManifest.FileName], entries.Select(e => e.Name));
        Assert.All(entries.Where(e => hashes.ContainsKey(e.Name)), e => Assert.Equal(hashes[e.Name], e.Sha256));
        var manifest = await ZipInspection.ReadManifestAsync(zipPath, cts.Token);
        Assert.Equal(entries.SkipLast(1).Select(e => (e.Name, e.Length, e.Sha256)), manifest.Entries.Select(e => (e.Path, e.Size, e.Sha256)));
        var (exit, output) = await ZipInspection.UnzipTestAsync(zipPath, cts.Token);
        Assert.True(exit == 0, output);
        await ZipInspection.AssertPythonReadsAsync(zipPath, entries.Count, cts.Token);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Combine("tmp")));
    }

    [Fact]
    public async Task ASmallZipHasNoZip64RecordsAndUtf8NamesWithDataDescriptors()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();
        TestInstallation.CreateDataDirectory(dir.Combine("data"));
        var plan = BackupEntryPlanner.Plan(dir.Combine("data"), cts.Token);
        var output = new MemoryStream();

        await BackupZipWriter.WriteAsync(output, BackupZipWriterTests.MemoryEntry("db", [1, 2, 3], BackupEntryCompression.Deflate), plan.Entries, _info, null, cts.Token);

        var bytes = output.ToArray();
        Assert.Equal(0, CountSignature(bytes, 0x06064b50));
        Assert.Equal(0, CountSignature(bytes, 0x07064b50));
        Assert.Equal(plan.Entries.Count + 2, CountSignature(bytes, 0x08074b50));
        Assert.Equal(0x0808, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6))); // data descriptor, UTF-8 names
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        Assert.Contains(zip.Entries, e => e.FullName == "archive/2/20260103_090000_Würfel mit Öse/Würfel mit Öse.gcode.3mf");
    }

    [Fact]
    public async Task EntryTimesAreTheFilesLocalTimesAsSystemIoCompressionReadsThem()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var when = new DateTimeOffset(2026, 3, 4, 5, 6, 8, TimeSpan.Zero);
        var entry = BackupZipWriterTests.MemoryEntry("icons/a.svg", [1, 2, 3], BackupEntryCompression.Deflate) with { LastModified = when };
        var output = new MemoryStream();

        await BackupZipWriter.WriteAsync(output, BackupZipWriterTests.MemoryEntry("db", [1], BackupEntryCompression.Deflate), [entry], _info, null, cts.Token);

        using var zip = new ZipArchive(new MemoryStream(output.ToArray()), ZipArchiveMode.Read);
        Assert.Equal(when.ToLocalTime().DateTime, zip.GetEntry("icons/a.svg")!.LastWriteTime.DateTime);
        Assert.Equal(_info.CreatedAt.ToLocalTime().DateTime, zip.GetEntry(BackupManifest.FileName)!.LastWriteTime.DateTime);
    }

    [Fact]
    public async Task TheStreamedManifestIsByteForByteWhatTheSerializerWrites()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var names = new[] { "archive/1/Würfel <&> 'quoted' \"x\".gcode", "archive/1/日本語.stl", "icons/plus+é.svg", "projects/tab\there.txt" };
        var entries = names.Select((n, i) => BackupZipWriterTests.MemoryEntry(n, Encoding.UTF8.GetBytes(new string('x', i * 1000)), BackupEntryCompression.Deflate)).ToList();
        var output = new MemoryStream();

        await BackupZipWriter.WriteAsync(output, BackupZipWriterTests.MemoryEntry("db", [1], BackupEntryCompression.Deflate), entries, _info, null, cts.Token);

        using var zip = new ZipArchive(new MemoryStream(output.ToArray()), ZipArchiveMode.Read);
        var written = new MemoryStream();
        await using (var stream = await zip.GetEntry(BackupManifest.FileName)!.OpenAsync(cts.Token))
        {
            await stream.CopyToAsync(written, cts.Token);
        }

        var manifest = BackupManifest.Parse(new MemoryStream(written.ToArray()));
        Assert.Equal(["bambuddy.db", .. names], manifest.Entries.Select(e => e.Path));
        Assert.Equal(Encoding.UTF8.GetString(manifest.ToUtf8Json()), Encoding.UTF8.GetString(written.ToArray()));
    }

    [Fact]
    public async Task AManifestWithNoDataEntriesHasAnEmptyList()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = new MemoryStream();

        var result = await BackupZipWriter.WriteAsync(output, BackupZipWriterTests.MemoryEntry("db", [], BackupEntryCompression.Deflate), [], _info, null, cts.Token);

        using var zip = new ZipArchive(new MemoryStream(output.ToArray()), ZipArchiveMode.Read);
        await using var stream = await zip.GetEntry(BackupManifest.FileName)!.OpenAsync(cts.Token);
        var manifest = BackupManifest.Parse(stream);
        Assert.Equal([new BackupManifestEntry("bambuddy.db", 0, Convert.ToHexStringLower(SHA256.HashData(Array.Empty<byte>())))], manifest.Entries);
        Assert.Equal(2, result.EntryCount);
    }

    [Theory]
    [InlineData("icons/a.svg,icons/b.svg,icons/b.svg")]
    [InlineData("icons/b.svg,icons/c.svg,icons/a.svg,icons/c.svg")]
    [InlineData("icons/b.svg,icons/a.svg,icons/b.svg")]
    [InlineData("bambuddy.db")]
    public async Task ANameTwiceSortedOrNotIsRefused(string names)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var entries = names.Split(',').Select(n => BackupZipWriterTests.MemoryEntry(n, [1], BackupEntryCompression.Store));

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            BackupZipWriter.WriteAsync(Stream.Null, BackupZipWriterTests.MemoryEntry("db", [1], BackupEntryCompression.Deflate), entries, _info, null, cts.Token));

        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnsortedDistinctNamesAreAccepted()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var names = new[] { "icons/c.svg", "icons/a.svg", "icons/b.svg", "archive/z", "archive/a" };
        var output = new MemoryStream();

        await BackupZipWriter.WriteAsync(output, BackupZipWriterTests.MemoryEntry("db", [1], BackupEntryCompression.Deflate), names.Select(n => BackupZipWriterTests.MemoryEntry(n, [1], BackupEntryCompression.Store)), _info, null, cts.Token);

        using var zip = new ZipArchive(new MemoryStream(output.ToArray()), ZipArchiveMode.Read);
        Assert.Equal(["bambuddy.db", .. names, BackupManifest.FileName], zip.Entries.Select(e => e.FullName));
    }

    [Fact]
    public async Task ALazySequenceIsWrittenWithoutTotalsAndProgressSaysTheyAreUnknown()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var reports = new List<ArchiveProgress>();
        var progress = new SynchronousProgress(reports.Add);

        var result = await BackupZipWriter.WriteAsync(
            Stream.Null,
            BackupZipWriterTests.MemoryEntry("db", new byte[100], BackupEntryCompression.Deflate),
            Enumerable.Range(0, 10).Select(i => BackupZipWriterTests.MemoryEntry($"icons/{i}.svg", new byte[10], BackupEntryCompression.Deflate)),
            _info,
            progress,
            cts.Token);

        Assert.Equal(12, result.EntryCount);
        Assert.Equal(200, result.ContentBytes);
        Assert.Equal(new ArchiveProgress(ArchivePhase.Writing, 0, 0, 0, 0), reports[0]);
        Assert.Equal(new ArchiveProgress(ArchivePhase.Writing, 200, 200, 12, 12), reports[^1]);
    }

    [Fact]
    public async Task TotalsCountedBeforeTheWriteAreNeverPassedWhenMoreFilesCame()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var reports = new List<ArchiveProgress>();
        var progress = new SynchronousProgress(reports.Add);
        var entries = Enumerable.Range(0, 5).Select(i => BackupZipWriterTests.MemoryEntry($"icons/{i}.svg", new byte[3 << 20], BackupEntryCompression.Store));

        await BackupZipWriter.WriteAsync(
            Stream.Null,
            BackupZipWriterTests.MemoryEntry("db", new byte[100], BackupEntryCompression.Deflate),
            entries,
            _info,
            progress,
            new BackupZipOptions { DataTotals = (3 << 20, 1) },
            cts.Token);

        Assert.Equal(new ArchiveProgress(ArchivePhase.Writing, 0, (3 << 20) + 100, 0, 3), reports[0]);
        Assert.All(reports, r => Assert.True(r.BytesDone <= r.BytesTotal && r.EntriesDone <= r.EntriesTotal, r.ToString()));
        Assert.Equal(new ArchiveProgress(ArchivePhase.Writing, (15L << 20) + 100, (15L << 20) + 100, 7, 7), reports[^1]);
    }

    private static int CountSignature(byte[] bytes, uint signature)
    {
        var count = 0;
        for (var i = 0; i + 4 <= bytes.Length; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i)) == signature)
            {
                count++;
            }
        }

        return count;
    }

    private sealed class SynchronousProgress(Action<ArchiveProgress> report) : IProgress<ArchiveProgress>
    {
        public void Report(ArchiveProgress value) => report(value);
    }
}
