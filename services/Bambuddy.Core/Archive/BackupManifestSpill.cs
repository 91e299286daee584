using System.Text;
using System.Text.Json;

namespace Bambuddy.Core.Archive;

/// <summary>
/// The manifest's entries while a ZIP is written: each goes to a temp file (deleted on close) as its entry
/// ends, and <see cref="WriteJsonAsync"/> writes <c>backup-manifest.json</c> from it, the same JSON as
/// <see cref="BackupManifest.ToUtf8Json"/>, without ever holding all entries.
/// </summary>
internal sealed class BackupManifestSpill : IAsyncDisposable
{
    private const int Sha256Length = 32;
    private const int FlushThreshold = 1 << 15;

    private static readonly JsonEncodedText _formatVersion = BackupManifest.PropertyName(nameof(BackupManifest.FormatVersion));
    private static readonly JsonEncodedText _createdAt = BackupManifest.PropertyName(nameof(BackupManifest.CreatedAt));
    private static readonly JsonEncodedText _sourceBackend = BackupManifest.PropertyName(nameof(BackupManifest.SourceBackend));
    private static readonly JsonEncodedText _fingerprint = BackupManifest.PropertyName(nameof(BackupManifest.BambuddySchemaFingerprint));
    private static readonly JsonEncodedText _entries = BackupManifest.PropertyName(nameof(BackupManifest.Entries));
    private static readonly JsonEncodedText _path = BackupManifest.PropertyName(nameof(BackupManifestEntry.Path));
    private static readonly JsonEncodedText _size = BackupManifest.PropertyName(nameof(BackupManifestEntry.Size));
    private static readonly JsonEncodedText _sha256Name = BackupManifest.PropertyName(nameof(BackupManifestEntry.Sha256));

    private readonly FileStream _file;
    private readonly BinaryWriter _writer;
    private readonly byte[] _sha256 = new byte[Sha256Length];

    private BackupManifestSpill(FileStream file)
    {
        _file = file;
        _writer = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true);
    }

    /// <summary>Entries added so far.</summary>
    public long Count { get; private set; }

    /// <summary>The spill file's length: with the count, bounds the JSON's length.</summary>
    public long Bytes => _file.Length;

    public static BackupManifestSpill Create(string tempDirectory)
    {
        Directory.CreateDirectory(tempDirectory);
        return new BackupManifestSpill(new FileStream(
            Path.Combine(tempDirectory, $".bambuddy-manifest-{Guid.NewGuid():N}.tmp"),
            new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                BufferSize = 1 << 16,
                Options = FileOptions.DeleteOnClose,
            }));
    }

    /// <summary>The most bytes the manifest's JSON can take: every character escaped (six bytes) and some.</summary>
    public long MaxJsonBytes() => (Bytes * 8) + (Count * 256) + 4096;

    public void Add(string path, long size, ReadOnlySpan<byte> sha256)
    {
        _writer.Write(path);
        _writer.Write(size);
        _writer.Write(sha256);
        Count++;
    }

    /// <summary>The paths added so far, read back from the file; add nothing while enumerating.</summary>
    public IEnumerable<string> Paths()
    {
        foreach (var (path, _) in Read())
        {
            yield return path;
        }
    }

    /// <summary>Writes the manifest JSON to <paramref name="target"/>, flushing it every few KiB.</summary>
    public async Task WriteJsonAsync(Stream target, BackupManifestInfo info, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(target, BackupManifest.WriterOptions);
        json.WriteStartObject();
        json.WriteNumber(_formatVersion, BackupManifest.CurrentFormatVersion);
        json.WriteString(_createdAt, info.CreatedAt);
        json.WriteString(_sourceBackend, info.SourceBackend);
        json.WriteString(_fingerprint, info.SchemaFingerprint);
        json.WriteStartArray(_entries);
        foreach (var (path, size) in Read())
        {
            WriteEntry(json, path, size, _sha256);
            if (json.BytesPending >= FlushThreshold)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await json.FlushAsync(cancellationToken);
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _file.DisposeAsync();
    }

    private static void WriteEntry(Utf8JsonWriter json, string path, long size, byte[] sha256)
    {
        Span<byte> hex = stackalloc byte[Sha256Length * 2];
        Convert.TryToHexStringLower(sha256, hex, out _);
        json.WriteStartObject();
        json.WriteString(_path, path);
        json.WriteNumber(_size, size);
        json.WriteString(_sha256Name, hex);
        json.WriteEndObject();
    }

    /// <summary>Each entry's path and size, its SHA-256 left in <see cref="_sha256"/>; the file is left positioned at its end.</summary>
    private IEnumerable<(string Path, long Size)> Read()
    {
        _writer.Flush();
        var end = _file.Position;
        _file.Position = 0;
        try
        {
            using var reader = new BinaryReader(_file, Encoding.UTF8, leaveOpen: true);
            while (_file.Position < end)
            {
                var path = reader.ReadString();
                var size = reader.ReadInt64();
                reader.BaseStream.ReadExactly(_sha256);
                yield return (path, size);
            }
        }
        finally
        {
            _file.Position = end;
        }
    }
}
