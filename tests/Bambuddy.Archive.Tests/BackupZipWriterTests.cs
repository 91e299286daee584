using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Bambuddy.Core.Archive;
using Bambuddy.Testing;

namespace Bambuddy.Archive.Tests;

public sealed class BackupZipWriterTests
{
    private static readonly BackupManifestInfo _info = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero), "sqlite", "f00d");

    [Fact]
    public async Task ZipHoldsTheDatabaseFirstThenTheDataThenTheManifestWithMatchingHashes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();
        var hashes = TestInstallation.CreateDataDirectory(dir.Combine("data"));
        var database = MemoryEntry("ignored-name", Encoding.UTF8.GetBytes(new string('d', 100_000)), BackupEntryCompression.Store);
        var plan = BackupEntryPlanner.Plan(dir.Combine("data"), cts.Token);
        var zipPath = dir.Combine("out.zip");

        BackupZipResult result;
        await using (var file = File.Create(zipPath))
        {
            result = await BackupZipWriter.WriteAsync(file, database, plan.Entries, _info, null, cts.Token);
        }

        var entries = await ZipInspection.ReadEntriesAsync(zipPath, cts.Token);
        Assert.Equal("bambuddy.db", entries[0].Name);
        Assert.Equal(BackupManifest.FileName, entries[^1].Name);
        Assert.Equal(plan.Entries.Select(e => e.Name), entries.Skip(1).SkipLast(1).Select(e => e.Name));
        foreach (var (name, _, sha256) in entries.Skip(1).SkipLast(1))
        {
            Assert.Equal(hashes[name], sha256);
        }

        Assert.All(entries, e => Assert.False(e.Name.EndsWith('/') || e.Name.Contains('\\'), e.Name));
        Assert.Contains(entries, e => e.Name == "archive/1/20260101_120000_Benchy/photos/a.jpg");

        var manifest = await ZipInspection.ReadManifestAsync(zipPath, cts.Token);
        Assert.Equal(BackupManifest.CurrentFormatVersion, manifest.FormatVersion);
        Assert.Equal(_info.CreatedAt, manifest.CreatedAt);
        Assert.Equal("sqlite", manifest.SourceBackend);
        Assert.Equal("f00d", manifest.BambuddySchemaFingerprint);
        Assert.Equal(entries.SkipLast(1).Select(e => (e.Name, e.Length, e.Sha256)), manifest.Entries.Select(e => (e.Path, e.Size, e.Sha256)));
        Assert.Equal(_info, result.Manifest);
        Assert.Equal(manifest.Entries.Sum(e => e.Size), result.ContentBytes);

        Assert.Equal(new FileInfo(zipPath).Length, result.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(zipPath, cts.Token))), result.Sha256);
        Assert.Equal(entries.Count, result.EntryCount);

        var (exit, output) = await ZipInspection.UnzipTestAsync(zipPath, cts.Token);
        Assert.True(exit == 0, output);
        await ZipInspection.AssertPythonReadsAsync(zipPath, entries.Count, cts.Token);
    }

    [Fact]
    public async Task MediaIsStoredAndTextAndTheDatabaseAreDeflated()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();
        TestInstallation.CreateDataDirectory(dir.Combine("data"));
        var plan = BackupEntryPlanner.Plan(dir.Combine("data"), cts.Token);
        var zipPath = dir.Combine("out.zip");
        await using (var file = File.Create(zipPath))
        {
            await BackupZipWriter.WriteAsync(file, MemoryEntry("db", new byte[50_000], BackupEntryCompression.Store), plan.Entries, _info, null, cts.Token);
        }

        var methods = await ZipInspection.MethodsAsync(zipPath, cts.Token);

        Assert.StartsWith("Defl", methods["bambuddy.db"], StringComparison.Ordinal);
        Assert.StartsWith("Defl", methods[BackupManifest.FileName], StringComparison.Ordinal);
        foreach (var entry in plan.Entries.Where(e => e.Size > 0))
        {
            var expected = entry.Compression == BackupEntryCompression.Store ? "Stored" : "Defl";
            Assert.True(methods[entry.Name].StartsWith(expected, StringComparison.Ordinal), $"{entry.Name}: {methods[entry.Name]}");
        }

        Assert.Equal("Stored", methods["archive/1/20260101_120000_Benchy/timelapse.mp4"]);
        Assert.Equal("Stored", methods["projects/3/attachments/drawing.pdf"]); // empty: nothing to deflate
        Assert.StartsWith("Defl", methods["virtual_printer/uploads/job.gcode"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheZipIsWrittenFrontToBackSoItCanGoToAnUnseekableStream()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = new ForwardOnlyStream();
        var data = RandomNumberGenerator.GetBytes(3_500_000);

        var result = await BackupZipWriter.WriteAsync(output, MemoryEntry("db", [1, 2, 3], BackupEntryCompression.Deflate), [MemoryEntry("archive/big.mp4", data, BackupEntryCompression.Store)], _info, null, cts.Token);

        var bytes = output.Inner.ToArray();
        Assert.Equal(bytes.Length, result.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), result.Sha256);
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        Assert.Equal(["bambuddy.db", "archive/big.mp4", BackupManifest.FileName], zip.Entries.Select(e => e.FullName));
        await using var manifestStream = await zip.GetEntry(BackupManifest.FileName)!.OpenAsync(cts.Token);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), BackupManifest.Parse(manifestStream).Entries[1].Sha256);
    }

    [Fact]
    public async Task AFileThatGrowsWhileItIsReadFailsTheBackupNamingIt()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("data", "archive"));
        await File.WriteAllBytesAsync(dir.Combine("data", "archive", "grows.gcode"), new byte[3_000_000], cts.Token);
        var plan = BackupEntryPlanner.Plan(dir.Combine("data"), cts.Token);
        await File.AppendAllTextAsync(dir.Combine("data", "archive", "grows.gcode"), "more", cts.Token);

        var error = await Assert.ThrowsAsync<BackupSourceChangedException>(() =>
            BackupZipWriter.WriteAsync(Stream.Null, MemoryEntry("db", [1], BackupEntryCompression.Deflate), plan.Entries, _info, null, cts.Token));

        Assert.Equal("archive/grows.gcode", error.EntryName);
        Assert.Contains("archive/grows.gcode", error.Message, StringComparison.Ordinal);
        Assert.Contains("changed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileThatShrinksWhileItIsReadFailsTheBackup()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var entry = MemoryEntry("archive/shrinks.mp4", new byte[1000], BackupEntryCompression.Store) with { Size = 5000 };

        var error = await Assert.ThrowsAsync<BackupSourceChangedException>(() =>
            BackupZipWriter.WriteAsync(Stream.Null, MemoryEntry("db", [1], BackupEntryCompression.Deflate), [entry], _info, null, cts.Token));

        Assert.Equal(5000, error.PlannedSize);
        Assert.Equal(1000, error.BytesRead);
    }

    [Fact]
    public async Task AFileDeletedAfterItWasListedFailsTheBackupNamingIt()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("data", "archive"));
        await File.WriteAllTextAsync(dir.Combine("data", "archive", "gone.gcode"), "G28", cts.Token);
        var plan = BackupEntryPlanner.Plan(dir.Combine("data"), cts.Token);
        File.Delete(dir.Combine("data", "archive", "gone.gcode"));

        var error = await Assert.ThrowsAsync<BackupSourceChangedException>(() =>
            BackupZipWriter.WriteAsync(Stream.Null, MemoryEntry("db", [1], BackupEntryCompression.Deflate), plan.Entries, _info, null, cts.Token));

        Assert.Equal("archive/gone.gcode", error.EntryName);
        Assert.Contains("deleted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellationStopsTheWriteWithinAnEntry()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var source = new CancellingStream(8L << 20, 3L << 20, stop);
        var entry = new BackupEntry("archive/huge.mp4", source.Length, _ => ValueTask.FromResult<Stream>(source), BackupEntryCompression.Store);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            BackupZipWriter.WriteAsync(Stream.Null, MemoryEntry("db", [1], BackupEntryCompression.Deflate), [entry], _info, null, stop.Token));

        Assert.True(source.Position < source.Length, "the entry was read to its end despite the cancellation");
    }

    [Fact]
    public async Task NamesThatAreNotRelativeSlashNamesAreRefused()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        foreach (var name in new[] { "/abs", "a\\b", "a/../b", "a//b", "dir/", BackupManifest.FileName })
        {
            await Assert.ThrowsAsync<ArgumentException>(() =>
                BackupZipWriter.WriteAsync(Stream.Null, MemoryEntry("db", [1], BackupEntryCompression.Deflate), [MemoryEntry(name, [1], BackupEntryCompression.Store)], _info, null, cts.Token));
        }
    }

    [Fact]
    public async Task MoreThan65535EntriesUseZip64AndStillOpenEverywhere()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        using var dir = new TempDirectory();
        var entries = Enumerable.Range(0, 70_000)
            .Select(i => MemoryEntry($"archive/many/{i:D6}.txt", [(byte)(i % 251)], BackupEntryCompression.Store))
            .ToList();
        var zipPath = dir.Combine("many.zip");
        await using (var file = File.Create(zipPath))
        {
            await BackupZipWriter.WriteAsync(file, MemoryEntry("db", [1], BackupEntryCompression.Deflate), entries, _info, null, cts.Token);
        }

        await using (var zip = await ZipFile.OpenReadAsync(zipPath, cts.Token))
        {
            Assert.Equal(70_002, zip.Entries.Count);
        }

        var (exit, output) = await ZipInspection.UnzipTestAsync(zipPath, cts.Token);
        Assert.True(exit == 0, output[..Math.Min(2000, output.Length)]);
        await ZipInspection.AssertPythonReadsAsync(zipPath, 70_002, cts.Token);
    }

    [Fact]
    public async Task ProgressIsReportedAtPhaseChangesAndEndsWithEverythingDone()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var reports = new List<ArchiveProgress>();
        var progress = new SynchronousProgress(reports.Add);
        var entries = Enumerable.Range(0, 50).Select(i => MemoryEntry($"icons/{i}.svg", new byte[10_000], BackupEntryCompression.Deflate)).ToList();

        await BackupZipWriter.WriteAsync(Stream.Null, MemoryEntry("db", new byte[1000], BackupEntryCompression.Deflate), entries, _info, progress, cts.Token);

        Assert.True(reports.Count >= 2);
        Assert.All(reports, r => Assert.Equal(ArchivePhase.Writing, r.Phase));
        Assert.Equal(new ArchiveProgress(ArchivePhase.Writing, 0, 501_000, 0, 52), reports[0]);
        Assert.Equal(new ArchiveProgress(ArchivePhase.Writing, 501_000, 501_000, 52, 52), reports[^1]);
        Assert.Equal(reports.Select(r => r.BytesDone).Order(), reports.Select(r => r.BytesDone));
    }

    internal static BackupEntry MemoryEntry(string name, byte[] content, BackupEntryCompression compression) =>
        new(name, content.Length, _ => ValueTask.FromResult<Stream>(new MemoryStream(content, writable: false)), compression);

    private sealed class SynchronousProgress(Action<ArchiveProgress> report) : IProgress<ArchiveProgress>
    {
        public void Report(ArchiveProgress value) => report(value);
    }

    /// <summary>Zeros that cancel the backup once <c>cancelAt</c> bytes have been read.</summary>
    private sealed class CancellingStream(long length, long cancelAt, CancellationTokenSource stop) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            if (_position >= cancelAt)
            {
                stop.Cancel();
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class ForwardOnlyStream : Stream
    {
        public MemoryStream Inner { get; } = new();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Inner.Write(buffer, offset, count);
    }
}
