using System.Collections;
using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace Bambuddy.Core.Restore.Zip;

/// <summary>
/// A backup ZIP opened for restore (DESIGN §4, §5.1). <see cref="Open"/> checks the whole structure from the
/// central directory and local headers, so nothing unsafe gets as far as extraction; extraction then reads each
/// entry once, checking its size, CRC-32 and (with our manifest) SHA-256. Not safe for concurrent calls.
/// </summary>
public sealed class BackupZip : IDisposable
{
    /// <summary>The warning a backup without our manifest (one made by Bambuddy itself) gets.</summary>
    public const string NoManifestWarning = "no backup-manifest.json: a Bambuddy-made backup, checksums not verified";

    private static readonly TimeSpan _progressInterval = TimeSpan.FromMilliseconds(250);

    private readonly SafeFileHandle _handle;
    private readonly ZipCatalog _catalog;
    private ManifestDigests? _manifest;

    private BackupZip(SafeFileHandle handle, ZipCatalog catalog)
    {
        _handle = handle;
        _catalog = catalog;
    }

    /// <summary>
    /// The file entries in central directory order (directory entries are left out). They are not held in memory
    /// (issue #4, flat memory): each enumeration reads the central directory again, front to back, and each index
    /// one header; the entries it gives are new objects, equal by value to the earlier ones.
    /// </summary>
    public IReadOnlyList<BackupZipEntry> Entries => _catalog.Entries;

    /// <summary>The sum of every file entry's declared size; extraction refuses any entry that differs.</summary>
    public long TotalUncompressedBytes => _catalog.TotalUncompressedBytes;

    /// <summary>The top-level <c>bambuddy.db</c> file (never null once <see cref="Open"/> succeeded).</summary>
    public BackupZipEntry? Database => _catalog.Entry(_catalog.DatabaseIndex);

    /// <summary>Whether the ZIP has our top-level <c>backup-manifest.json</c> (a ZIP made by Bambuddy has none).</summary>
    public bool HasManifest => _catalog.ManifestIndex >= 0;

    /// <summary>
    /// Opens the ZIP and checks its structure without reading any entry's data.
    /// </summary>
    /// <exception cref="BackupRefusedException">Step <c>validate</c>: the file is not a safe, complete Bambuddy backup ZIP; the reason names the entry.</exception>
    public static BackupZip Open(string path, RestoreLimits limits) => Open(path, limits, null);

    /// <summary>As <see cref="Open(string, RestoreLimits)"/>, with the name hash given (tests force collisions with it).</summary>
    internal static BackupZip Open(string path, RestoreLimits limits, ZipNameHash? nameHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limits.MaxEntries);
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxCompressionRatio, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limits.MaxNameBytes);

        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return new BackupZip(handle, ZipCatalogReader.Read(handle, limits, nameHash));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Extracts one entry to a new file (it must not exist), checked against its size, CRC-32 and, when the ZIP
    /// has a manifest, its SHA-256. The file is deleted again on failure. Not fsynced: the caller syncs once.
    /// </summary>
    /// <returns>The SHA-256 of the content, lower-case hex.</returns>
    public async Task<string> ExtractToFileAsync(BackupZipEntry entry, string destinationPath, CancellationToken cancellationToken)
    {
        var index = IndexOf(entry);
        var copier = new ZipEntryCopier(_handle);
        var manifest = await LoadManifestAsync(copier, Path.GetDirectoryName(Path.GetFullPath(destinationPath))!, cancellationToken);
        manifest?.CheckListed(index, entry.Name);
        var sha256 = await ExtractAsync(copier, index, entry, destinationPath, null, cancellationToken);
        try
        {
            manifest?.CheckHash(index, entry.Name, sha256);
        }
        catch
        {
            File.Delete(destinationPath);
            throw;
        }

        return Convert.ToHexStringLower(sha256);
    }

    /// <summary>Reads one entry through without writing it: its size and CRC-32 are checked.</summary>
    public async Task VerifyAsync(BackupZipEntry entry, CancellationToken cancellationToken)
    {
        var index = IndexOf(entry);
        await new ZipEntryCopier(_handle).CopyAsync(entry, _catalog.DataOffset(index), null, sha256: false, null, cancellationToken);
    }

    /// <summary>
    /// Extracts every entry <paramref name="include"/> selects to <c>stagingDirectory/&lt;name&gt;</c>. The staging
    /// folder must be empty or absent. With a manifest, every selected entry must be listed in it and match its
    /// SHA-256 (and every listed entry must be in the ZIP); without one the result carries a warning. On any
    /// failure everything written is deleted before the exception goes on.
    /// </summary>
    public async Task<ExtractionResult> ExtractAllAsync(
        string stagingDirectory,
        Func<BackupZipEntry, bool> include,
        IProgress<ExtractionProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(include);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(stagingDirectory));
        var createdRoot = !Directory.Exists(root);
        if (!createdRoot && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new IOException($"The staging folder '{root}' is not empty.");
        }

        Directory.CreateDirectory(root);
        try
        {
            return await ExtractSelectedAsync(root, include, progress, cancellationToken);
        }
        catch
        {
            RemoveStaging(root, createdRoot);
            throw;
        }
    }

    public void Dispose()
    {
        _manifest?.Dispose();
        _handle.Dispose();
    }

    private async Task<ExtractionResult> ExtractSelectedAsync(
        string root,
        Func<BackupZipEntry, bool> include,
        IProgress<ExtractionProgress>? progress,
        CancellationToken cancellationToken)
    {
        // One bit per entry: the entries themselves are read back from the central directory as they are extracted.
        var selected = new BitArray(_catalog.Count);
        var selectedCount = 0;
        var bytesTotal = 0L;
        foreach (var (index, entry) in _catalog.Scan())
        {
            if (include(entry))
            {
                selected[index] = true;
                selectedCount++;
                bytesTotal += entry.UncompressedSize;
            }
        }

        var copier = new ZipEntryCopier(_handle);
        var warnings = new List<string>();
        var manifest = await LoadManifestAsync(copier, root, cancellationToken);
        if (manifest is null)
        {
            warnings.Add(NoManifestWarning);
        }
        else
        {
            // Refuse an entry the manifest does not know before writing anything.
            foreach (var (index, entry) in _catalog.Scan())
            {
                if (selected[index])
                {
                    manifest.CheckListed(index, entry.Name);
                }
            }
        }

        var prefix = root + Path.DirectorySeparatorChar;
        // Entries come folder by folder, so the last folder made is all there is to remember.
        var lastFolder = root;
        var bytesDone = 0L;
        var entriesDone = 0;
        var lastReport = Stopwatch.GetTimestamp();
        progress?.Report(new ExtractionProgress(0, bytesTotal, 0, selectedCount));
        foreach (var (index, entry) in _catalog.Scan())
        {
            if (!selected[index])
            {
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var target = Path.GetFullPath(Path.Join(root, entry.Name));
            if (!target.StartsWith(prefix, StringComparison.Ordinal))
            {
                // The name checks in Open make this unreachable; kept in case they ever miss something.
                throw new BackupRefusedException(
                    BackupRefusedException.ValidateStep,
                    $"Entry {ZipEntryNames.Display(entry.Name)} would be written outside the staging folder.");
            }

            var folder = Path.GetDirectoryName(target)!;
            if (folder != lastFolder)
            {
                Directory.CreateDirectory(folder);
                lastFolder = folder;
            }

            var doneBefore = bytesDone;
            Action<long>? onBytes = progress is null ? null : done =>
            {
                if (Stopwatch.GetElapsedTime(lastReport) >= _progressInterval)
                {
                    lastReport = Stopwatch.GetTimestamp();
                    progress.Report(new ExtractionProgress(doneBefore + done, bytesTotal, entriesDone, selectedCount));
                }
            };
            var sha256 = await ExtractAsync(copier, index, entry, target, onBytes, cancellationToken);
            manifest?.CheckHash(index, entry.Name, sha256);
            bytesDone += entry.UncompressedSize;
            entriesDone++;
            onBytes?.Invoke(0);
        }

        progress?.Report(new ExtractionProgress(bytesDone, bytesTotal, entriesDone, selectedCount));
        return new ExtractionResult(bytesDone, entriesDone, warnings);
    }

    private async Task<byte[]> ExtractAsync(ZipEntryCopier copier, int index, BackupZipEntry entry, string destinationPath, Action<long>? onBytes, CancellationToken cancellationToken)
    {
        var file = File.OpenHandle(destinationPath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        try
        {
            using (file)
            {
                return (await copier.CopyAsync(
                    entry,
                    _catalog.DataOffset(index),
                    (buffer, count, offset) => RandomAccess.Write(file, buffer.AsSpan(0, count), offset),
                    sha256: true,
                    onBytes,
                    cancellationToken))!;
            }
        }
        catch
        {
            File.Delete(destinationPath);
            throw;
        }
    }

    private async Task<ManifestDigests?> LoadManifestAsync(ZipEntryCopier copier, string spillDirectory, CancellationToken cancellationToken)
    {
        if (HasManifest && _manifest is null)
        {
            _manifest = await ManifestDigests.LoadAsync(_catalog, copier, spillDirectory, cancellationToken);
        }

        return _manifest;
    }

    private int IndexOf(BackupZipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var index = _catalog.IndexOf(entry.Name);
        return index >= 0 && _catalog.Entry(index) == entry
            ? index
            : throw new ArgumentException($"{ZipEntryNames.Display(entry.Name)} is not an entry of this ZIP.", nameof(entry));
    }

    /// <summary>Deletes what a failed extraction wrote; a failure to delete must not hide the failure that caused it.</summary>
    private static void RemoveStaging(string root, bool removeRoot)
    {
        try
        {
            if (removeRoot)
            {
                Directory.Delete(root, recursive: true);
                return;
            }

            foreach (var path in Directory.EnumerateFileSystemEntries(root))
            {
                if (Directory.Exists(path) && !File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint))
                {
                    Directory.Delete(path, recursive: true);
                }
                else
                {
                    File.Delete(path);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
