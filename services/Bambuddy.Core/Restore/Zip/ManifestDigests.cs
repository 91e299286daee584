using System.Collections;
using System.Globalization;
using System.Text.Json;
using Bambuddy.Core.Archive;
using Microsoft.Win32.SafeHandles;

namespace Bambuddy.Core.Restore.Zip;

/// <summary>
/// The SHA-256 that <c>backup-manifest.json</c> gives each entry, 32 bytes per ZIP entry (by index) in a temp file
/// that is unlinked as soon as it is made (nothing is left behind, even by a crash). The manifest is parsed as it
/// streams out of the ZIP, never held whole nor as objects, so memory stays flat as a backup grows (issue #4):
/// what is kept per entry is one bit (listed or not).
/// </summary>
internal sealed class ManifestDigests : IDisposable
{
    /// <summary>A manifest of 100,000 entries is about 20 MB; anything far bigger is not ours.</summary>
    public const long MaxManifestBytes = 256L << 20;

    private const int HashLength = 32;

    /// <summary>Consecutive digests are written together, up to this many bytes.</summary>
    private const int PendingBytes = 16 << 10;

    private readonly SafeFileHandle _spill;
    private readonly BitArray _listed;
    private readonly int _manifestIndex;
    private readonly FileWindow _reader;
    private readonly byte[] _pending = new byte[PendingBytes];
    private int _pendingFirst;
    private int _pendingCount;

    private ManifestDigests(SafeFileHandle spill, int entries, int manifestIndex)
    {
        _spill = spill;
        _listed = new BitArray(entries);
        _manifestIndex = manifestIndex;
        _reader = new FileWindow(spill, (long)entries * HashLength);
    }

    /// <summary>
    /// Reads the manifest and checks it against the central directory: every listed entry is in the ZIP with the
    /// listed size. Refuses (step <c>validate</c>) otherwise, naming the entry.
    /// </summary>
    /// <param name="spillDirectory">Where the digests' temp file is made (and unlinked at once): the folder being restored into.</param>
    public static async Task<ManifestDigests> LoadAsync(ZipCatalog catalog, ZipEntryCopier copier, string spillDirectory, CancellationToken cancellationToken)
    {
        var entry = catalog.Entry(catalog.ManifestIndex);
        if (entry.UncompressedSize > MaxManifestBytes)
        {
            throw Refuse(string.Create(CultureInfo.InvariantCulture, $"'{BackupManifest.FileName}' is {entry.UncompressedSize:N0} bytes, too big to be a backup manifest"));
        }

        var spillPath = Path.Combine(spillDirectory, $".bambuddy-restore-{Guid.NewGuid():N}.sha256");
        var spill = File.OpenHandle(spillPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        File.Delete(spillPath);
        var digests = new ManifestDigests(spill, catalog.Count, catalog.ManifestIndex);
        try
        {
            await digests.ReadAsync(entry, catalog, copier, cancellationToken);
        }
        catch
        {
            digests.Dispose();
            throw;
        }

        return digests;
    }

    private async Task ReadAsync(BackupZipEntry entry, ZipCatalog catalog, ZipEntryCopier copier, CancellationToken cancellationToken)
    {
        var parser = new ManifestStreamParser((path, size, sha256) => Add(catalog, path, size, sha256));

        // The CRC and size checks come first, as when the manifest was read whole: a damaged one fails them.
        await copier.CopyAsync(
            entry,
            catalog.DataOffset(catalog.ManifestIndex),
            (buffer, count, _) => parser.Feed(buffer.AsSpan(0, count)),
            sha256: false,
            onBytes: null,
            cancellationToken);
        Flush();
        try
        {
            parser.Finish();
        }
        catch (JsonException ex)
        {
            throw new BackupRefusedException(BackupRefusedException.ValidateStep, $"'{BackupManifest.FileName}' is not a valid backup manifest.", ex);
        }
    }

    /// <summary>Refuses an entry the manifest does not list (the manifest itself aside): it was added after the backup was made.</summary>
    public void CheckListed(int index, string name)
    {
        if (!_listed[index] && index != _manifestIndex)
        {
            throw Refuse($"Entry {ZipEntryNames.Display(name)} is in the ZIP but not listed in '{BackupManifest.FileName}' (added after the backup was made?)");
        }
    }

    public void CheckHash(int index, string name, ReadOnlySpan<byte> sha256)
    {
        CheckListed(index, name);
        if (index != _manifestIndex && !sha256.SequenceEqual(_reader.Read((long)index * HashLength, HashLength)))
        {
            throw Refuse($"Entry {ZipEntryNames.Display(name)} does not match its SHA-256 in '{BackupManifest.FileName}' (the backup was changed or damaged)");
        }
    }

    private void Add(ZipCatalog catalog, string? path, long size, string? sha256)
    {
        var shown = ZipEntryNames.Display(path ?? "");
        var index = path is null ? -1 : catalog.IndexOf(path);
        if (index < 0 || index == catalog.ManifestIndex)
        {
            throw Refuse($"Entry {shown} is listed in '{BackupManifest.FileName}' but is not in the ZIP");
        }

        if (_listed[index])
        {
            throw Refuse($"Entry {shown} is listed twice in '{BackupManifest.FileName}'");
        }

        var actual = catalog.Entry(index).UncompressedSize;
        if (size != actual)
        {
            throw Refuse(string.Create(CultureInfo.InvariantCulture, $"Entry {shown} is {actual:N0} bytes in the ZIP but {size:N0} bytes in '{BackupManifest.FileName}'"));
        }

        if (_pendingCount > 0 && (index != _pendingFirst + _pendingCount || (_pendingCount + 1) * HashLength > PendingBytes))
        {
            Flush();
        }

        if (sha256 is not { Length: HashLength * 2 } hex
            || Convert.FromHexString(hex, _pending.AsSpan(_pendingCount * HashLength, HashLength), out _, out _) != System.Buffers.OperationStatus.Done)
        {
            throw Refuse($"Entry {shown} has no valid SHA-256 in '{BackupManifest.FileName}'");
        }

        if (_pendingCount == 0)
        {
            _pendingFirst = index;
        }

        _pendingCount++;
        _listed[index] = true;
    }

    public void Dispose() => _spill.Dispose();

    private void Flush()
    {
        if (_pendingCount > 0)
        {
            RandomAccess.Write(_spill, _pending.AsSpan(0, _pendingCount * HashLength), (long)_pendingFirst * HashLength);
            _pendingCount = 0;
        }
    }

    private static BackupRefusedException Refuse(string reason) => new(BackupRefusedException.ValidateStep, reason + ".");
}
