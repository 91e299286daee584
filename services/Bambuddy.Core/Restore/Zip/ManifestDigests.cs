using System.Collections;
using System.Globalization;
using System.Text.Json;
using Bambuddy.Core.Archive;

namespace Bambuddy.Core.Restore.Zip;

/// <summary>
/// The SHA-256 that <c>backup-manifest.json</c> gives each entry, kept as 32 bytes per ZIP entry (by index).
/// The manifest is parsed as it streams out of the ZIP, never held whole nor as objects, so a large backup
/// costs little memory while it is restored (issue #4).
/// </summary>
internal sealed class ManifestDigests
{
    /// <summary>A manifest of 100,000 entries is about 20 MB; anything far bigger is not ours.</summary>
    public const long MaxManifestBytes = 256L << 20;

    private const int HashLength = 32;

    private readonly byte[] _hashes;
    private readonly BitArray _listed;
    private readonly int _manifestIndex;

    private ManifestDigests(int entries, int manifestIndex)
    {
        _hashes = new byte[entries * HashLength];
        _listed = new BitArray(entries);
        _manifestIndex = manifestIndex;
    }

    /// <summary>
    /// Reads the manifest and checks it against the central directory: every listed entry is in the ZIP with the
    /// listed size. Refuses (step <c>validate</c>) otherwise, naming the entry.
    /// </summary>
    public static async Task<ManifestDigests> LoadAsync(ZipCatalog catalog, ZipEntryCopier copier, CancellationToken cancellationToken)
    {
        var entry = catalog.Entry(catalog.ManifestIndex);
        if (entry.UncompressedSize > MaxManifestBytes)
        {
            throw Refuse(string.Create(CultureInfo.InvariantCulture, $"'{BackupManifest.FileName}' is {entry.UncompressedSize:N0} bytes, too big to be a backup manifest"));
        }

        var digests = new ManifestDigests(catalog.Count, catalog.ManifestIndex);
        var parser = new ManifestStreamParser((path, size, sha256) => digests.Add(catalog, path, size, sha256));

        // The CRC and size checks come first, as when the manifest was read whole: a damaged one fails them.
        await copier.CopyAsync(
            entry,
            catalog.DataOffset(catalog.ManifestIndex),
            (buffer, count, _) => parser.Feed(buffer.AsSpan(0, count)),
            sha256: false,
            onBytes: null,
            cancellationToken);
        try
        {
            parser.Finish();
        }
        catch (JsonException ex)
        {
            throw new BackupRefusedException(BackupRefusedException.ValidateStep, $"'{BackupManifest.FileName}' is not a valid backup manifest.", ex);
        }

        return digests;
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
        if (index != _manifestIndex && !sha256.SequenceEqual(_hashes.AsSpan(index * HashLength, HashLength)))
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

        if (sha256 is not { Length: HashLength * 2 } hex
            || Convert.FromHexString(hex, _hashes.AsSpan(index * HashLength, HashLength), out _, out _) != System.Buffers.OperationStatus.Done)
        {
            throw Refuse($"Entry {shown} has no valid SHA-256 in '{BackupManifest.FileName}'");
        }

        _listed[index] = true;
    }

    private static BackupRefusedException Refuse(string reason) => new(BackupRefusedException.ValidateStep, reason + ".");
}
