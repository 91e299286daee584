using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Bambuddy.Core.Restore.Zip;

/// <summary>
/// Reads and checks a ZIP's structure without trusting any of it: the end records, every central
/// directory header and every local header (DESIGN §5.1). Entry data is never read here.
/// </summary>
internal static class ZipCatalogReader
{
    private const uint LocalHeaderSignature = 0x04034b50;
    private const uint CentralHeaderSignature = 0x02014b50;
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const int EndLength = 22;
    private const int Zip64LocatorLength = 20;
    private const int Zip64EndLength = 56;
    private const int CentralHeaderLength = 46;
    private const int LocalHeaderLength = 30;
    private const ushort Zip64ExtraId = 0x0001;
    private const uint Mask32 = uint.MaxValue;
    private const ushort Mask16 = ushort.MaxValue;

    private const ushort FlagEncrypted = 1 << 0;
    private const ushort FlagDataDescriptor = 1 << 3;
    private const ushort FlagStrongEncryption = 1 << 6;
    private const ushort FlagUtf8 = 1 << 11;
    private const ushort FlagMaskedHeaders = 1 << 13;

    private const ushort MethodStored = 0;
    private const ushort MethodDeflated = 8;
    private const ushort MethodAes = 99;

    public const string DatabaseName = "bambuddy.db";
    public const string ManifestName = Archive.BackupManifest.FileName;

    public static ZipCatalog Read(SafeFileHandle handle, RestoreLimits limits, ZipNameHash? nameHash = null)
    {
        var length = RandomAccess.GetLength(handle);
        var (count, directoryOffset, directorySize) = FindCentralDirectory(handle, length, limits);
        return ReadCentralDirectory(handle, count, directoryOffset, directorySize, limits, nameHash ?? ZipCatalog.DefaultHash());
    }

    /// <summary>
    /// One central directory header at <paramref name="offset"/>, its Zip64 sizes resolved; <paramref name="number"/>
    /// of <paramref name="count"/> only names it in a refusal. Refuses a header that breaks off or lacks its Zip64 field.
    /// </summary>
    public static CentralRecord ReadCentral(FileWindow directory, long offset, long number, long count)
    {
        var header = directory.Read(offset, CentralHeaderLength);
        if (header.Length < CentralHeaderLength || ZipBytes.U32(header, 0) != CentralHeaderSignature)
        {
            throw Refuse(string.Create(CultureInfo.InvariantCulture, $"The ZIP is damaged: its central directory breaks off at entry {number:N0} of {count:N0}"));
        }

        var host = header[5];
        var flags = ZipBytes.U16(header, 8);
        var method = ZipBytes.U16(header, 10);
        var crc = ZipBytes.U32(header, 16);
        ulong compressed = ZipBytes.U32(header, 20);
        ulong uncompressed = ZipBytes.U32(header, 24);
        var nameLength = ZipBytes.U16(header, 28);
        var extraLength = ZipBytes.U16(header, 30);
        var commentLength = ZipBytes.U16(header, 32);
        var diskStart = ZipBytes.U16(header, 34);
        var external = ZipBytes.U32(header, 38);
        ulong localOffset = ZipBytes.U32(header, 42);
        var recordLength = CentralHeaderLength + nameLength + extraLength + commentLength;

        var record = directory.Read(offset, recordLength);
        if (record.Length < CentralHeaderLength + nameLength)
        {
            throw Refuse(string.Create(CultureInfo.InvariantCulture, $"The ZIP is damaged: its central directory breaks off at entry {number:N0} of {count:N0}"));
        }

        var name = ZipEntryNames.Decode(record.Slice(CentralHeaderLength, nameLength), (flags & FlagUtf8) != 0)
            ?? throw Refuse(string.Create(CultureInfo.InvariantCulture, $"Entry {number:N0} of the ZIP has a name that is marked UTF-8 but is not valid UTF-8"));
        if (record.Length < CentralHeaderLength + nameLength + extraLength)
        {
            throw Refuse($"The ZIP is damaged: its central directory breaks off at entry {ZipEntryNames.Display(name)}");
        }

        var extra = record.Slice(CentralHeaderLength + nameLength, extraLength);
        if (compressed == Mask32 || uncompressed == Mask32 || localOffset == Mask32 || diskStart == Mask16)
        {
            if (!TryFindExtra(extra, Zip64ExtraId, out var zip64))
            {
                throw Refuse($"Entry {ZipEntryNames.Display(name)} has sizes marked as Zip64 but no Zip64 extra field");
            }

            var position = 0;
            if (!TryTakeZip64(zip64, ref position, uncompressed == Mask32, ref uncompressed)
                || !TryTakeZip64(zip64, ref position, compressed == Mask32, ref compressed)
                || !TryTakeZip64(zip64, ref position, localOffset == Mask32, ref localOffset))
            {
                throw Refuse($"Entry {ZipEntryNames.Display(name)} has a Zip64 extra field that is too short for the sizes it stands for");
            }

            if (diskStart == Mask16)
            {
                diskStart = zip64.Length >= position + 4 && ZipBytes.U32(zip64, position) == 0 ? (ushort)0 : Mask16;
            }
        }

        if (record.Length < recordLength)
        {
            throw Refuse($"The ZIP is damaged: its central directory breaks off at entry {ZipEntryNames.Display(name)}");
        }

        return new CentralRecord(name, nameLength, host, flags, method, crc, compressed, uncompressed, localOffset, diskStart, external, recordLength);
    }

    private static (long Count, long Offset, long Size) FindCentralDirectory(SafeFileHandle handle, long length, RestoreLimits limits)
    {
        if (length < EndLength)
        {
            throw Refuse("The file is not a ZIP: it is too short");
        }

        // The end record is last, followed only by a comment of up to 64 KiB; a comment may itself hold the
        // signature, so the record is the one whose comment length reaches exactly the end of the file.
        var tail = new byte[(int)Math.Min(length, EndLength + ushort.MaxValue)];
        ReadExactly(handle, tail, length - tail.Length);
        var end = -1;
        for (var i = tail.Length - EndLength; i >= 0; i--)
        {
            if (ZipBytes.U32(tail, i) == EndSignature && i + EndLength + ZipBytes.U16(tail, i + 20) == tail.Length)
            {
                end = i;
                break;
            }
        }

        if (end < 0)
        {
            throw Refuse("The file is not a ZIP, or it is truncated: it has no end-of-central-directory record");
        }

        var endOffset = length - tail.Length + end;
        ulong disk = ZipBytes.U16(tail, end + 4);
        ulong directoryDisk = ZipBytes.U16(tail, end + 6);
        ulong onDisk = ZipBytes.U16(tail, end + 8);
        ulong count = ZipBytes.U16(tail, end + 10);
        ulong size = ZipBytes.U32(tail, end + 12);
        ulong offset = ZipBytes.U32(tail, end + 16);
        var areaEnd = endOffset;

        var locator = new byte[Zip64LocatorLength];
        if (endOffset >= Zip64LocatorLength && ReadExactly(handle, locator, endOffset - Zip64LocatorLength)
            && ZipBytes.U32(locator, 0) == Zip64LocatorSignature)
        {
            var recordOffset = ZipBytes.U64(locator, 8);
            if (ZipBytes.U32(locator, 4) != 0 || ZipBytes.U32(locator, 16) > 1)
            {
                throw Refuse("The ZIP is split into several parts; only a single-file ZIP can be restored");
            }

            if (endOffset < Zip64LocatorLength + Zip64EndLength || recordOffset > (ulong)(endOffset - Zip64LocatorLength - Zip64EndLength))
            {
                throw Refuse("The ZIP is damaged or truncated: its Zip64 end record lies outside the file");
            }

            var record = new byte[Zip64EndLength];
            ReadExactly(handle, record, (long)recordOffset);
            if (ZipBytes.U32(record, 0) != Zip64EndSignature)
            {
                throw Refuse("The ZIP is damaged or truncated: its Zip64 end record is missing");
            }

            disk = ZipBytes.U32(record, 16);
            directoryDisk = ZipBytes.U32(record, 20);
            onDisk = ZipBytes.U64(record, 24);
            count = ZipBytes.U64(record, 32);
            size = ZipBytes.U64(record, 40);
            offset = ZipBytes.U64(record, 48);
            areaEnd = (long)recordOffset;
        }
        else if (count == Mask16 || size == Mask32 || offset == Mask32)
        {
            throw Refuse("The ZIP is damaged or truncated: its end record points to a Zip64 end record that is missing");
        }

        if (disk != 0 || directoryDisk != 0 || onDisk != count)
        {
            throw Refuse("The ZIP is split into several parts; only a single-file ZIP can be restored");
        }

        if (count > (ulong)limits.MaxEntries)
        {
            throw Refuse(string.Create(CultureInfo.InvariantCulture, $"The ZIP has {count:N0} entries, over the limit of {limits.MaxEntries:N0}"));
        }

        if (offset > (ulong)areaEnd || size > (ulong)areaEnd - offset)
        {
            throw Refuse("The ZIP is damaged or truncated: its central directory lies outside the file");
        }

        return ((long)count, (long)offset, (long)size);
    }

    private static ZipCatalog ReadCentralDirectory(
        SafeFileHandle handle, long count, long directoryOffset, long directorySize, RestoreLimits limits, ZipNameHash nameHash)
    {
        var directoryEnd = directoryOffset + directorySize;
        var window = new FileWindow(handle, directoryEnd, FileWindow.ScanSize);
        var slots = new ZipCatalog.Slot[count];
        var hashes = new ulong[count];
        var files = 0;
        var directories = new HashSet<string>(StringComparer.Ordinal);
        var total = 0L;
        var position = directoryOffset;
        var database = -1;
        var manifest = -1;
        var databaseIsFolder = false;
        string? nestedDatabase = null;
        for (var i = 1L; i <= count; i++)
        {
            var record = ReadCentral(window, position, i, count);
            var name = record.Name;
            var central = position;
            position += record.Length;

            if (ZipEntryNames.Problem(name, record.NameByteCount, limits) is { } problem)
            {
                throw Refuse($"Entry {ZipEntryNames.Display(name)} {problem}");
            }

            CheckHeader(name, record.Flags, record.Method, record.DiskStart);
            if (record.Compressed > long.MaxValue || record.Uncompressed > long.MaxValue || record.LocalOffset > long.MaxValue)
            {
                throw Refuse($"Entry {ZipEntryNames.Display(name)} has Zip64 sizes that do not fit in a file");
            }

            var isDirectory = name[^1] == '/';
            if (TypeProblem(record.Host, record.External, isDirectory) is { } typeProblem)
            {
                throw Refuse($"Entry {ZipEntryNames.Display(name)} {typeProblem}");
            }

            databaseIsFolder |= name.StartsWith(DatabaseName + "/", StringComparison.Ordinal);
            if (isDirectory)
            {
                // Bambuddy writes no directory entries; other tools do. They hold nothing to restore.
                if (record.Uncompressed != 0)
                {
                    throw Refuse($"Entry {ZipEntryNames.Display(name)} is a directory entry with content");
                }

                directories.Add(name[..^1]);
                continue;
            }

            var (compressed, uncompressed) = (record.Compressed, record.Uncompressed);
            if (record.Method == MethodStored && compressed != uncompressed)
            {
                throw Refuse(string.Create(CultureInfo.InvariantCulture, $"Entry {ZipEntryNames.Display(name)} is stored uncompressed but declares {compressed:N0} bytes of data for {uncompressed:N0} bytes"));
            }

            if (uncompressed > RestoreLimits.RatioFloorBytes && uncompressed > limits.MaxCompressionRatio * Math.Max(compressed, 1))
            {
                var ratio = uncompressed / (double)Math.Max(compressed, 1);
                throw Refuse(string.Create(CultureInfo.InvariantCulture, $"Entry {ZipEntryNames.Display(name)} would expand {ratio:0}-fold ({compressed:N0} to {uncompressed:N0} bytes), over the limit of {limits.MaxCompressionRatio:0.#}:1 (a ZIP bomb?)"));
            }

            total += (long)uncompressed;
            if (total < 0)
            {
                throw Refuse("The ZIP declares more bytes than a file system can hold");
            }

            if (database < 0 && name == DatabaseName)
            {
                database = files;
            }
            else if (manifest < 0 && name == ManifestName)
            {
                manifest = files;
            }
            else if (nestedDatabase is null && name.EndsWith("/" + DatabaseName, StringComparison.Ordinal))
            {
                nestedDatabase = name;
            }

            // Data holds the local header's offset until CheckLocalHeaders puts the data's own there.
            slots[files] = new ZipCatalog.Slot { Central = central, Data = (long)record.LocalOffset };
            hashes[files] = nameHash(name);
            files++;
        }

        if (files < count)
        {
            Array.Resize(ref slots, files);
            Array.Resize(ref hashes, files);
        }

        var indexes = new int[files];
        for (var i = 0; i < files; i++)
        {
            indexes[i] = i;
        }

        // Sorted by hash then index: equal names are neighbours, and the first of them comes first.
        Array.Sort(hashes, indexes);
        SortRunsByIndex(hashes, indexes);
        var catalog = new ZipCatalog(handle, directoryEnd, slots, hashes, indexes, nameHash, total)
        {
            DatabaseIndex = database,
            ManifestIndex = manifest,
        };
        CheckDuplicates(catalog, hashes, indexes);
        if (position != directoryEnd)
        {
            throw Refuse(string.Create(CultureInfo.InvariantCulture, $"The ZIP is damaged: its central directory holds more than the {count:N0} entries its end record declares"));
        }

        CheckFilesAreNotFolders(catalog, directories);
        CheckDatabase(catalog, directories, databaseIsFolder, nestedDatabase);
        CheckLocalHeaders(handle, catalog, slots, directoryOffset, directoryEnd);
        return catalog;
    }

    private static void SortRunsByIndex(ulong[] hashes, int[] indexes)
    {
        for (var start = 0; start < hashes.Length;)
        {
            var end = start + 1;
            while (end < hashes.Length && hashes[end] == hashes[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(indexes, start, end - start);
            }

            start = end;
        }
    }

    /// <summary>A name in the ZIP twice is refused (the later copy named); equal hashes are confirmed on the names.</summary>
    private static void CheckDuplicates(ZipCatalog catalog, ulong[] hashes, int[] indexes)
    {
        var firstRepeat = -1;
        string? repeated = null;
        for (var start = 0; start < hashes.Length;)
        {
            var end = start + 1;
            while (end < hashes.Length && hashes[end] == hashes[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                // A collision or a real duplicate: the run is short unless names were made to collide.
                var seen = new HashSet<string>(StringComparer.Ordinal);
                for (var k = start; k < end; k++)
                {
                    var name = catalog.Entry(indexes[k]).Name;
                    if (!seen.Add(name) && (firstRepeat < 0 || indexes[k] < firstRepeat))
                    {
                        firstRepeat = indexes[k];
                        repeated = name;
                    }
                }
            }

            start = end;
        }

        if (repeated is not null)
        {
            throw Refuse($"Entry {ZipEntryNames.Display(repeated)} is in the ZIP twice");
        }
    }

    private static void CheckHeader(string name, ushort flags, ushort method, ushort diskStart)
    {
        if ((flags & (FlagEncrypted | FlagStrongEncryption | FlagMaskedHeaders)) != 0 || method == MethodAes)
        {
            throw Refuse($"Entry {ZipEntryNames.Display(name)} is encrypted; an encrypted backup cannot be restored");
        }

        if (method is not (MethodStored or MethodDeflated))
        {
            throw Refuse(string.Create(CultureInfo.InvariantCulture, $"Entry {ZipEntryNames.Display(name)} uses compression method {method}; only stored (0) and deflated (8) entries can be restored"));
        }

        if (diskStart != 0)
        {
            throw Refuse("The ZIP is split into several parts; only a single-file ZIP can be restored");
        }
    }

    /// <summary>Only regular files (and directory entries, which are skipped) may be restored: no links, devices or pipes.</summary>
    private static string? TypeProblem(byte host, uint external, bool isDirectory)
    {
        const byte HostFat = 0, HostUnix = 3, HostNtfs = 10, HostVfat = 14, HostDarwin = 19;
        switch (host)
        {
            case HostUnix or HostDarwin:
                var mode = external >> 16;
                var type = mode & 0xF000;
                return type switch
                {
                    0 or 0x8000 => null,
                    0xA000 => "is a symbolic link; links are never restored",
                    0x4000 => isDirectory ? null : "is a directory whose name does not end in '/'",
                    _ => $"is not a regular file (Unix mode 0{Convert.ToString(mode, 8)})",
                };
            case HostFat or HostNtfs or HostVfat:
                if ((external & 0x400) != 0)
                {
                    return "is a link (a Windows reparse point); links are never restored";
                }

                return (external & 0x10) != 0 && !isDirectory ? "is a directory whose name does not end in '/'" : null;
            default:
                return null;
        }
    }

    /// <summary>No file may also be a folder: not a directory entry, nor the folder of another file.</summary>
    private static void CheckFilesAreNotFolders(ZipCatalog catalog, HashSet<string> directories)
    {
        var first = int.MaxValue;
        string? lastFolder = null;
        foreach (var (index, entry) in catalog.Scan())
        {
            var name = entry.Name;
            if (index < first && directories.Contains(name))
            {
                first = index;
            }

            var last = name.LastIndexOf('/');
            if (last <= 0 || (lastFolder is not null && name.AsSpan(0, last).SequenceEqual(lastFolder)))
            {
                // The same folder as the entry before: its folders were looked up already.
                continue;
            }

            lastFolder = name[..last];
            for (var slash = last; slash > 0; slash = name.AsSpan(0, slash).LastIndexOf('/'))
            {
                var folder = name.AsSpan(0, slash);
                foreach (var candidate in catalog.Candidates(catalog.Hash(folder)))
                {
                    if (candidate < first && catalog.Entry(candidate).Name.AsSpan().SequenceEqual(folder))
                    {
                        first = candidate;
                    }
                }
            }
        }

        if (first != int.MaxValue)
        {
            throw Refuse($"Entry {ZipEntryNames.Display(catalog.Entry(first).Name)} is both a file and a folder in the ZIP");
        }
    }

    private static void CheckDatabase(ZipCatalog catalog, HashSet<string> directories, bool databaseIsFolder, string? nestedDatabase)
    {
        if (catalog.DatabaseIndex >= 0)
        {
            return;
        }

        if (databaseIsFolder || directories.Contains(DatabaseName))
        {
            throw Refuse($"'{DatabaseName}' is a folder in this ZIP, not a file: not a Bambuddy backup");
        }

        if (nestedDatabase is not null)
        {
            throw Refuse($"'{DatabaseName}' is only in a subfolder ({ZipEntryNames.Display(nestedDatabase)}), not at the top level: not a Bambuddy backup");
        }

        throw Refuse($"The ZIP has no top-level '{DatabaseName}': not a Bambuddy backup");
    }

    /// <summary>Each entry's local header must agree with the central directory, and no two entries may share bytes.</summary>
    private static void CheckLocalHeaders(SafeFileHandle handle, ZipCatalog catalog, ZipCatalog.Slot[] slots, long directoryOffset, long directoryEnd)
    {
        var order = new int[slots.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        // In file order the reads go front to back, and an overlap (a "quine" or overlapping-entry bomb) shows.
        Array.Sort(order, (a, b) => slots[a].Data != slots[b].Data ? slots[a].Data.CompareTo(slots[b].Data) : a.CompareTo(b));
        var window = new FileWindow(handle, directoryOffset);
        var directory = new FileWindow(handle, directoryEnd, FileWindow.ScanSize);
        var previousEnd = 0L;
        var previous = -1;
        foreach (var i in order)
        {
            var entry = ReadCentral(directory, slots[i].Central, i + 1, slots.Length).ToEntry();
            var offset = entry.LocalHeaderOffset;
            if (offset < previousEnd)
            {
                throw Refuse($"Entry {ZipEntryNames.Display(entry.Name)} overlaps entry {ZipEntryNames.Display(catalog.Entry(previous).Name)} (a crafted ZIP)");
            }

            var available = directoryOffset - offset;
            if (available < LocalHeaderLength)
            {
                throw Refuse($"Entry {ZipEntryNames.Display(entry.Name)} has its local header outside the ZIP's data (damaged or truncated)");
            }

            var buffer = window.Read(offset, LocalHeaderLength);
            if (buffer.Length < LocalHeaderLength || ZipBytes.U32(buffer, 0) != LocalHeaderSignature)
            {
                throw Refuse($"Entry {ZipEntryNames.Display(entry.Name)} has no local header where the central directory says (damaged or truncated)");
            }

            var flags = ZipBytes.U16(buffer, 6);
            var method = ZipBytes.U16(buffer, 8);
            var crc = ZipBytes.U32(buffer, 14);
            ulong compressed = ZipBytes.U32(buffer, 18);
            ulong uncompressed = ZipBytes.U32(buffer, 22);
            var nameLength = ZipBytes.U16(buffer, 26);
            var extraLength = ZipBytes.U16(buffer, 28);
            var headerLength = LocalHeaderLength + nameLength + extraLength;
            if (headerLength > available)
            {
                throw Refuse($"Entry {ZipEntryNames.Display(entry.Name)} has a local header that runs into the central directory (damaged or truncated)");
            }

            var fields = window.Read(offset, headerLength);
            var localName = ZipEntryNames.Decode(fields.Slice(LocalHeaderLength, nameLength), (flags & FlagUtf8) != 0);
            if (localName != entry.Name)
            {
                throw Refuse($"Entry {ZipEntryNames.Display(entry.Name)} is named {ZipEntryNames.Display(localName ?? "?")} in its local header (a crafted or damaged ZIP)");
            }

            if (method != entry.Method || (flags & (FlagEncrypted | FlagStrongEncryption)) != 0)
            {
                throw Refuse($"Entry {ZipEntryNames.Display(entry.Name)} has a local header whose method or encryption differs from the central directory (a crafted or damaged ZIP)");
            }

            if ((flags & FlagDataDescriptor) == 0)
            {
                // Without a data descriptor the local header carries the real CRC and sizes.
                if (compressed == Mask32 || uncompressed == Mask32)
                {
                    var position = 0;
                    if (!TryFindExtra(fields.Slice(LocalHeaderLength + nameLength, extraLength), Zip64ExtraId, out var zip64)
                        || !TryTakeZip64(zip64, ref position, uncompressed == Mask32, ref uncompressed)
                        || !TryTakeZip64(zip64, ref position, compressed == Mask32, ref compressed))
                    {
                        throw Refuse($"Entry {ZipEntryNames.Display(entry.Name)} has a local header with sizes marked as Zip64 but no Zip64 extra field");
                    }
                }

                if (crc != entry.Crc32 || compressed != (ulong)entry.CompressedSize || uncompressed != (ulong)entry.UncompressedSize)
                {
                    throw Refuse($"Entry {ZipEntryNames.Display(entry.Name)} has a local header whose CRC or sizes differ from the central directory (a crafted or damaged ZIP)");
                }
            }

            var dataOffset = offset + headerLength;
            if (entry.CompressedSize > directoryOffset - dataOffset)
            {
                throw Refuse(string.Create(CultureInfo.InvariantCulture, $"Entry {ZipEntryNames.Display(entry.Name)} declares {entry.CompressedSize:N0} bytes of data, more than the ZIP holds there (damaged or truncated)"));
            }

            slots[i].Data = dataOffset;
            previousEnd = dataOffset + entry.CompressedSize;
            previous = i;
        }
    }

    private static bool TryFindExtra(ReadOnlySpan<byte> extra, ushort id, out ReadOnlySpan<byte> field)
    {
        while (extra.Length >= 4)
        {
            var fieldId = ZipBytes.U16(extra, 0);
            var size = ZipBytes.U16(extra, 2);
            if (size > extra.Length - 4)
            {
                break;
            }

            if (fieldId == id)
            {
                field = extra.Slice(4, size);
                return true;
            }

            extra = extra[(4 + size)..];
        }

        field = default;
        return false;
    }

    private static bool TryTakeZip64(ReadOnlySpan<byte> field, ref int position, bool present, ref ulong value)
    {
        if (!present)
        {
            return true;
        }

        if (field.Length < position + 8)
        {
            return false;
        }

        value = ZipBytes.U64(field, position);
        position += 8;
        return true;
    }

    /// <summary>Reads the whole buffer; false when the file ends first.</summary>
    private static bool ReadExactly(SafeFileHandle handle, byte[] buffer, long offset)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer.AsSpan(filled), offset + filled);
            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }

    private static BackupRefusedException Refuse(string reason) => new(BackupRefusedException.ValidateStep, reason + ".");
}
