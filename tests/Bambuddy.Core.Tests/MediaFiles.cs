using System.IO.Compression;
using System.Security.Cryptography;

namespace Bambuddy.Core.Tests;

/// <summary>Checks that a generated file is what its extension says, and hashes data folders.</summary>
internal static class MediaFiles
{
    public static void AssertMagic(string path)
    {
        var head = new byte[16];
        int read;
        using (var file = File.OpenRead(path))
        {
            read = file.Read(head);
        }

        switch (Path.GetExtension(path))
        {
            case ".3mf":
                Assert.True(head.AsSpan(0, 4).SequenceEqual("PK\u0003\u0004"u8), path);
                using (var zip = ZipFile.OpenRead(path))
                {
                    Assert.NotNull(zip.GetEntry("3D/3dmodel.model"));
                    Assert.NotNull(zip.GetEntry("Metadata/plate_1.png"));
                }

                break;
            case ".png":
                Assert.True(head.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), path);
                break;
            case ".jpg":
                Assert.True(head.AsSpan(0, 3).SequenceEqual(new byte[] { 0xFF, 0xD8, 0xFF }), path);
                break;
            case ".mp4":
                Assert.True(head.AsSpan(4, 4).SequenceEqual("ftyp"u8), path);
                break;
            case ".pdf":
                Assert.True(head.AsSpan(0, 5).SequenceEqual("%PDF-"u8), path);
                break;
            case ".stl":
                Assert.Equal(84 + (50L * BitConverter.ToUInt32(File.ReadAllBytes(path).AsSpan(80, 4))), new FileInfo(path).Length);
                break;
            case ".crt" or ".key":
                Assert.True(head.AsSpan(0, 10).SequenceEqual("-----BEGIN"u8), path);
                break;
            default:
                Assert.Fail($"Unexpected file {path} ({read} bytes read).");
                break;
        }
    }

    /// <summary>Relative path → SHA-256 of every file under the data directory except the database.</summary>
    public static SortedDictionary<string, string> Hashes(string dataDir)
    {
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(dataDir, path).Replace('\\', '/');
            if (!relative.StartsWith("bambuddy.db", StringComparison.Ordinal))
            {
                using var file = File.OpenRead(path);
                hashes[relative] = Convert.ToHexString(SHA256.HashData(file));
            }
        }

        return hashes;
    }

    public static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(file)).ToLowerInvariant();
    }
}
