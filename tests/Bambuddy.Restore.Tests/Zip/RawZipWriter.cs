using System.Buffers.Binary;

namespace Bambuddy.Restore.Tests.Zip;

/// <summary>
/// Writes ZIP bytes field by field, so the tests can forge what no ZIP library would write: names, flags,
/// methods, CRCs, sizes, attributes, end records.
/// </summary>
internal static class RawZipWriter
{
    public static void Write(string path, IEnumerable<RawZipEntry> entries, RawZipOptions? options = null)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        Write(file, entries, options ?? new RawZipOptions());
    }

    private static void Write(Stream output, IEnumerable<RawZipEntry> entries, RawZipOptions options)
    {
        var central = new MemoryStream();
        var count = 0L;
        foreach (var entry in entries)
        {
            var offset = output.Position;
            WriteLocalHeader(output, entry);
            output.Write(entry.Data);
            if (entry.DataDescriptor)
            {
                var descriptor = new byte[16];
                BinaryPrimitives.WriteUInt32LittleEndian(descriptor, 0x08074b50);
                BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(4), entry.Crc32);
                BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(8), (uint)entry.CompressedSize);
                BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(12), (uint)entry.UncompressedSize);
                output.Write(descriptor);
            }

            WriteCentralHeader(central, entry, (ulong)offset);
            count++;
        }

        var directoryOffset = (ulong)output.Position + options.DirectoryOffsetShift;
        var directorySize = (ulong)central.Length;
        central.Position = 0;
        central.CopyTo(output);
        var declaredCount = options.DeclaredEntryCount ?? (ulong)count;

        var zip64 = options.ForceZip64End || declaredCount >= 0xFFFF || directoryOffset >= 0xFFFFFFFF;
        if (zip64)
        {
            var recordOffset = (ulong)output.Position;
            var record = new byte[56];
            Put32(record, 0, 0x06064b50);
            Put64(record, 4, 44);
            Put16(record, 12, 45);
            Put16(record, 14, 45);
            Put64(record, 24, declaredCount);
            Put64(record, 32, declaredCount);
            Put64(record, 40, directorySize);
            Put64(record, 48, directoryOffset);
            output.Write(record);

            var locator = new byte[20];
            Put32(locator, 0, 0x07064b50);
            Put64(locator, 8, recordOffset);
            Put32(locator, 16, 1);
            output.Write(locator);
        }

        var end = new byte[22];
        Put32(end, 0, 0x06054b50);
        var shortCount = zip64 ? (ushort)0xFFFF : (ushort)declaredCount;
        Put16(end, 8, shortCount);
        Put16(end, 10, shortCount);
        Put32(end, 12, zip64 ? 0xFFFFFFFF : (uint)directorySize);
        Put32(end, 16, zip64 ? 0xFFFFFFFF : (uint)directoryOffset);
        Put16(end, 20, (ushort)options.Comment.Length);
        output.Write(end);
        output.Write(options.Comment);
    }

    private static void WriteLocalHeader(Stream output, RawZipEntry entry)
    {
        var name = entry.LocalName ?? entry.Name;
        var extra = entry.Zip64 ? Zip64Extra(entry.UncompressedSize, entry.CompressedSize) : [];
        var header = new byte[30];
        Put32(header, 0, 0x04034b50);
        Put16(header, 4, entry.Zip64 ? (ushort)45 : (ushort)20);
        Put16(header, 6, (ushort)(entry.Flags | (entry.DataDescriptor ? 1 << 3 : 0)));
        Put16(header, 8, entry.Method);
        if (!entry.DataDescriptor)
        {
            Put32(header, 14, entry.Crc32);
            Put32(header, 18, entry.Zip64 ? 0xFFFFFFFF : (uint)entry.CompressedSize);
            Put32(header, 22, entry.Zip64 ? 0xFFFFFFFF : (uint)entry.UncompressedSize);
        }

        Put16(header, 26, (ushort)name.Length);
        Put16(header, 28, (ushort)extra.Length);
        output.Write(header);
        output.Write(name);
        output.Write(extra);
    }

    private static void WriteCentralHeader(Stream central, RawZipEntry entry, ulong offset)
    {
        var marked = entry.Zip64 || entry.Zip64WithoutExtra;
        var extra = entry.Zip64 ? Zip64Extra(entry.UncompressedSize, entry.CompressedSize, offset) : [];
        var header = new byte[46];
        Put32(header, 0, 0x02014b50);
        Put16(header, 4, entry.VersionMadeBy);
        Put16(header, 6, marked ? (ushort)45 : (ushort)20);
        Put16(header, 8, (ushort)(entry.Flags | (entry.DataDescriptor ? 1 << 3 : 0)));
        Put16(header, 10, entry.Method);
        Put32(header, 16, entry.Crc32);
        Put32(header, 20, marked ? 0xFFFFFFFF : (uint)entry.CompressedSize);
        Put32(header, 24, marked ? 0xFFFFFFFF : (uint)entry.UncompressedSize);
        Put16(header, 28, (ushort)entry.Name.Length);
        Put16(header, 30, (ushort)extra.Length);
        Put32(header, 38, entry.ExternalAttributes);
        Put32(header, 42, marked ? 0xFFFFFFFF : (uint)offset);
        central.Write(header);
        central.Write(entry.Name);
        central.Write(extra);
    }

    private static byte[] Zip64Extra(params ulong[] values)
    {
        var extra = new byte[4 + 8 * values.Length];
        Put16(extra, 0, 0x0001);
        Put16(extra, 2, (ushort)(8 * values.Length));
        for (var i = 0; i < values.Length; i++)
        {
            Put64(extra, 4 + 8 * i, values[i]);
        }

        return extra;
    }

    private static void Put16(byte[] bytes, int offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset), value);

    private static void Put32(byte[] bytes, int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset), value);

    private static void Put64(byte[] bytes, int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(offset), value);
}
