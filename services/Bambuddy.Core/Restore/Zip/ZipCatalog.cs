using System.Collections;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Bambuddy.Core.Restore.Zip;

/// <summary>A 64-bit hash of an entry name (its UTF-16 characters); a seam for tests that force collisions.</summary>
internal delegate ulong ZipNameHash(ReadOnlySpan<char> name);

/// <summary>
/// The checked file entries of a ZIP, kept small so memory stays flat as a backup grows (issue #4): per entry only
/// where its central directory header and its data start (16 bytes) and its name's 64-bit hash in a sorted lookup
/// (12 bytes). Names, sizes and CRCs are read back from the central directory (already checked) when asked for;
/// a hash hit is always confirmed against the real name.
/// </summary>
internal sealed class ZipCatalog
{
    private readonly SafeFileHandle _handle;
    private readonly long _directoryEnd;
    private readonly Slot[] _slots;
    private readonly ulong[] _sortedHashes;
    private readonly int[] _sortedIndexes;
    private readonly ZipNameHash _hash;
    private FileWindow? _random;

    public ZipCatalog(SafeFileHandle handle, long directoryEnd, Slot[] slots, ulong[] sortedHashes, int[] sortedIndexes, ZipNameHash hash, long totalUncompressedBytes)
    {
        _handle = handle;
        _directoryEnd = directoryEnd;
        _slots = slots;
        _sortedHashes = sortedHashes;
        _sortedIndexes = sortedIndexes;
        _hash = hash;
        TotalUncompressedBytes = totalUncompressedBytes;
        Entries = new EntryList(this);
    }

    public int Count => _slots.Length;

    public IReadOnlyList<BackupZipEntry> Entries { get; }

    public long TotalUncompressedBytes { get; }

    public int DatabaseIndex { get; init; } = -1;

    public int ManifestIndex { get; init; } = -1;

    public static ZipNameHash DefaultHash()
    {
        // A seed per ZIP: names crafted to collide cannot be prepared in advance (and would only cost exact re-checks).
        var seed = Random.Shared.NextInt64();
        return name => XxHash64.HashToUInt64(MemoryMarshal.AsBytes(name), seed);
    }

    public long DataOffset(int index) => _slots[index].Data;

    /// <summary>The entry at <paramref name="index"/>, read back from the central directory.</summary>
    public BackupZipEntry Entry(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _slots.Length);
        _random ??= new FileWindow(_handle, _directoryEnd);
        return ZipCatalogReader.ReadCentral(_random, _slots[index].Central, index + 1, _slots.Length).ToEntry();
    }

    /// <summary>The index of the file entry named exactly <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        foreach (var index in Candidates(_hash(name)))
        {
            if (Entry(index).Name == name)
            {
                return index;
            }
        }

        return -1;
    }

    /// <summary>The indexes of the entries whose name hash is <paramref name="hash"/> (names may still differ).</summary>
    public CandidateRange Candidates(ulong hash) => new(_sortedHashes, _sortedIndexes, hash);

    public ulong Hash(ReadOnlySpan<char> name) => _hash(name);

    /// <summary>Every entry in central directory order, read front to back.</summary>
    public IEnumerable<(int Index, BackupZipEntry Entry)> Scan()
    {
        var window = new FileWindow(_handle, _directoryEnd, FileWindow.ScanSize);
        for (var i = 0; i < _slots.Length; i++)
        {
            yield return (i, ZipCatalogReader.ReadCentral(window, _slots[i].Central, i + 1, _slots.Length).ToEntry());
        }
    }

    /// <summary>Where an entry's central directory header and its data (past the local header) start.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Slot
    {
        public long Central;
        public long Data;
    }

    /// <summary>The run of equal hashes in the sorted lookup: no allocation per lookup.</summary>
    internal readonly struct CandidateRange(ulong[] hashes, int[] indexes, ulong hash)
    {
        public Enumerator GetEnumerator() => new(hashes, indexes, hash);

        internal struct Enumerator
        {
            private readonly ulong[] _hashes;
            private readonly int[] _indexes;
            private readonly ulong _hash;
            private int _position;

            public Enumerator(ulong[] hashes, int[] indexes, ulong hash)
            {
                _hashes = hashes;
                _indexes = indexes;
                _hash = hash;
                var found = Array.BinarySearch(hashes, hash);
                if (found < 0)
                {
                    _position = hashes.Length;
                    return;
                }

                while (found > 0 && hashes[found - 1] == hash)
                {
                    found--;
                }

                _position = found - 1;
            }

            public readonly int Current => _indexes[_position];

            public bool MoveNext() => ++_position < _hashes.Length && _hashes[_position] == _hash;
        }
    }

    private sealed class EntryList(ZipCatalog catalog) : IReadOnlyList<BackupZipEntry>
    {
        public int Count => catalog.Count;

        public BackupZipEntry this[int index] => catalog.Entry(index);

        public IEnumerator<BackupZipEntry> GetEnumerator()
        {
            foreach (var (_, entry) in catalog.Scan())
            {
                yield return entry;
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
