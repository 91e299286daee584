using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Bambuddy.DemoData;

/// <summary>
/// Writes media files that pass a magic-byte check and have the requested size. Bodies are random
/// (incompressible, as real video and photos are) and stream out in 1 MiB chunks.
/// </summary>
internal sealed class DemoMedia
{
    public const int ChunkSize = 1 << 20;
    public const int ThumbnailSide = 96;
    public const int PlatePreviewSide = 64;

    /// <summary>About what a 3MF holds besides its padding (model, configs, plate preview).</summary>
    public const int ThreeMfOverhead = 20_000;

    private static readonly byte[] _jpegHeader =
        [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];

    private static readonly byte[] _pngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private const string ContentTypes =
        """<?xml version="1.0" encoding="UTF-8"?>""" + "\n" +
        """<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/><Default Extension="png" ContentType="image/png"/><Default Extension="jpg" ContentType="image/jpeg"/></Types>""";

    private const string Relationships =
        """<?xml version="1.0" encoding="UTF-8"?>""" + "\n" +
        """<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Target="/3D/3dmodel.model" Id="rel-1" Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/><Relationship Target="/Metadata/plate_1.png" Id="rel-2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"/></Relationships>""";

    private readonly byte[] _buffer = new byte[ChunkSize];

    public long BytesWritten { get; private set; }

    public int FilesWritten { get; private set; }

    public async Task<long> WriteJpegAsync(string path, DemoRandom random, long size, CancellationToken cancellationToken)
    {
        await using var file = Create(path);
        await file.WriteAsync(_jpegHeader, cancellationToken);
        await WriteRandomAsync(file, random, Math.Max(0, size - _jpegHeader.Length - 2), cancellationToken);
        await file.WriteAsync(new byte[] { 0xFF, 0xD9 }, cancellationToken);
        return Count(file.Length);
    }

    /// <summary>An ISO BMFF file: <c>ftyp</c>, then one <c>mdat</c> box of random "video".</summary>
    public async Task<long> WriteMp4Async(string path, DemoRandom random, long size, CancellationToken cancellationToken)
    {
        await using var file = Create(path);
        var header = new byte[48];
        BinaryPrimitives.WriteUInt32BigEndian(header, 32);
        Encoding.ASCII.GetBytes("ftypisom", header.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), 0x200);
        Encoding.ASCII.GetBytes("isomiso2avc1mp41", header.AsSpan(16));
        var body = Math.Max(0, size - header.Length);
        // mdat with a 64-bit size, so any length fits.
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(32), 1);
        Encoding.ASCII.GetBytes("mdat", header.AsSpan(36));
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(40), (ulong)(body + 16));
        await file.WriteAsync(header, cancellationToken);
        await WriteRandomAsync(file, random, body, cancellationToken);
        return Count(file.Length);
    }

    public async Task<long> WritePdfAsync(string path, DemoRandom random, long size, CancellationToken cancellationToken)
    {
        await using var file = Create(path);
        var head = "%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n"u8.ToArray();
        await file.WriteAsync(head, cancellationToken);
        await WriteRandomAsync(file, random, Math.Max(0, size - head.Length - 6), cancellationToken);
        await file.WriteAsync("\n%%EOF"u8.ToArray(), cancellationToken);
        return Count(file.Length);
    }

    /// <summary>A binary STL of random triangles.</summary>
    public async Task<long> WriteStlAsync(string path, DemoRandom random, string name, long size, CancellationToken cancellationToken)
    {
        await using var file = Create(path);
        var header = new byte[84];
        var title = $"binary STL {name}";
        Encoding.ASCII.GetBytes(title.AsSpan(0, Math.Min(80, title.Length)), header);
        var triangles = (uint)Math.Max(1, (size - 84) / 50);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(80), triangles);
        await file.WriteAsync(header, cancellationToken);
        await WriteRandomAsync(file, random, triangles * 50L, cancellationToken);
        return Count(file.Length);
    }

    public async Task<long> WritePngAsync(string path, DemoRandom random, int width, int height, CancellationToken cancellationToken)
    {
        await using var file = Create(path);
        await file.WriteAsync(Png(random, width, height), cancellationToken);
        return Count(file.Length);
    }

    public async Task<long> WriteTextAsync(string path, string text, CancellationToken cancellationToken)
    {
        await using var file = Create(path);
        await file.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        return Count(file.Length);
    }

    /// <summary>
    /// A Bambu Studio-like 3MF: OPC parts, <c>3D/3dmodel.model</c> with a small mesh, slice info, the plate
    /// preview <c>Metadata/plate_1.png</c>, and a stored preview picture that brings it to about <paramref name="size"/>.
    /// </summary>
    public async Task<(long Size, string Sha256)> Write3mfAsync(
        string path, DemoRandom random, string title, string printerModel, long size, DateTime time, CancellationToken cancellationToken)
    {
        await using var file = Create(path);
        await using (var hashing = new Bambuddy.Core.Archive.HashingWriteStream(file))
        {
            using (var zip = new ZipArchive(hashing, ZipArchiveMode.Create, leaveOpen: true))
            {
                await AddTextAsync(zip, "[Content_Types].xml", ContentTypes, time, cancellationToken);
                await AddTextAsync(zip, "_rels/.rels", Relationships, time, cancellationToken);
                await AddTextAsync(zip, "3D/3dmodel.model", Model(random, title), time, cancellationToken);
                await AddTextAsync(zip, "Metadata/slice_info.config", SliceInfo(random, printerModel), time, cancellationToken);
                await AddBytesAsync(zip, "Metadata/plate_1.png", Png(random, PlatePreviewSide, PlatePreviewSide), time, cancellationToken);
                var padding = size - hashing.BytesWritten - 2_000;
                if (padding > 0)
                {
                    var entry = zip.CreateEntry("Auxiliaries/Model Pictures/preview.jpg", CompressionLevel.NoCompression);
                    entry.LastWriteTime = time;
                    await using var stream = entry.Open();
                    await stream.WriteAsync(_jpegHeader, cancellationToken);
                    await WriteRandomAsync(stream, random, padding, cancellationToken);
                }
            }

            await file.FlushAsync(cancellationToken);
            return (Count(file.Length), hashing.FinishHash());
        }
    }

    public static byte[] Png(DemoRandom random, int width, int height)
    {
        // A soft gradient in a seeded colour, with noise in the low bits so files differ and do not compress to nothing.
        var (r, g, b) = (random.Next(256), random.Next(256), random.Next(256));
        var stride = 1 + (width * 3);
        var raw = new byte[stride * height];
        random.NextBytes(raw);
        for (var y = 0; y < height; y++)
        {
            raw[y * stride] = 0;
            for (var x = 0; x < width; x++)
            {
                var p = (y * stride) + 1 + (x * 3);
                raw[p] = (byte)(r + x + (raw[p] & 3));
                raw[p + 1] = (byte)(g + y + (raw[p + 1] & 3));
                raw[p + 2] = (byte)(b + ((x + y) / 2) + (raw[p + 2] & 3));
            }
        }

        using var idat = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        using var png = new MemoryStream();
        png.Write(_pngSignature);
        WriteChunk(png, "IHDR", ihdr);
        WriteChunk(png, "IDAT", idat.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Compute(typeBytes, data));
        stream.Write(word);
    }

    private async Task WriteRandomAsync(Stream stream, DemoRandom random, long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var chunk = (int)Math.Min(count, _buffer.Length);
            random.NextBytes(_buffer.AsSpan(0, chunk));
            await stream.WriteAsync(_buffer.AsMemory(0, chunk), cancellationToken);
            count -= chunk;
        }
    }

    private static async Task AddTextAsync(ZipArchive zip, string name, string text, DateTime time, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        entry.LastWriteTime = time;
        await using var stream = entry.Open();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    private static async Task AddBytesAsync(ZipArchive zip, string name, byte[] bytes, DateTime time, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        entry.LastWriteTime = time;
        await using var stream = entry.Open();
        await stream.WriteAsync(bytes, cancellationToken);
    }

    private FileStream Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: false);
    }

    private long Count(long size)
    {
        BytesWritten += size;
        FilesWritten++;
        return size;
    }

    private static string Model(DemoRandom random, string title)
    {
        var xml = new StringBuilder();
        xml.Append("""<?xml version="1.0" encoding="UTF-8"?>""").Append('\n');
        xml.Append("""<model unit="millimeter" xml:lang="en-US" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02" xmlns:BambuStudio="http://schemas.bambulab.com/package/2021">""").Append('\n');
        xml.Append(""" <metadata name="Application">BambuStudio-02.02.01.60</metadata>""").Append('\n');
        xml.Append(""" <metadata name="Title">""").Append(System.Security.SecurityElement.Escape(title)).Append("</metadata>\n");
        xml.Append(" <resources>\n  <object id=\"1\" type=\"model\">\n   <mesh>\n    <vertices>\n");
        var vertices = random.Next(24, 200);
        for (var i = 0; i < vertices; i++)
        {
            xml.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"     <vertex x=\"{random.NextDouble(0, 120):F4}\" y=\"{random.NextDouble(0, 120):F4}\" z=\"{random.NextDouble(0, 80):F4}\"/>\n");
        }

        xml.Append("    </vertices>\n    <triangles>\n");
        for (var i = 0; i < vertices - 2; i++)
        {
            xml.Append(System.Globalization.CultureInfo.InvariantCulture, $"     <triangle v1=\"{i}\" v2=\"{i + 1}\" v3=\"{i + 2}\"/>\n");
        }

        xml.Append("    </triangles>\n   </mesh>\n  </object>\n </resources>\n <build>\n  <item objectid=\"1\" printable=\"1\"/>\n </build>\n</model>\n");
        return xml.ToString();
    }

    private static string SliceInfo(DemoRandom random, string printerModel) =>
        $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <config>
          <header>
            <header_item key="X-BBL-Client-Type" value="slicer"/>
            <header_item key="X-BBL-Client-Version" value="02.02.01.60"/>
          </header>
          <plate>
            <metadata key="index" value="1"/>
            <metadata key="printer_model_id" value="{printerModel}"/>
            <metadata key="prediction" value="{random.Next(600, 50_000)}"/>
            <metadata key="weight" value="{random.Next(3, 400)}.{random.Next(10, 99)}"/>
          </plate>
        </config>
        """;
}
