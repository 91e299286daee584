using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bambuddy.Core.Archive;

/// <summary>
/// <c>backup-manifest.json</c>, the last entry of our ZIPs (Bambuddy ignores it): what was backed up,
/// from which kind of database, and every other entry's size and SHA-256.
/// </summary>
/// <param name="FormatVersion">The manifest's format; <see cref="CurrentFormatVersion"/> when written here.</param>
/// <param name="CreatedAt">When the backup started.</param>
/// <param name="SourceBackend"><c>sqlite</c> or <c>postgresql</c>.</param>
/// <param name="BambuddySchemaFingerprint">SHA-256 of the database's sorted table and column list (<see cref="SchemaFingerprint"/>).</param>
/// <param name="Entries">Every entry of the ZIP but the manifest, in ZIP order.</param>
public sealed record BackupManifest(
    int FormatVersion,
    DateTimeOffset CreatedAt,
    string SourceBackend,
    string BambuddySchemaFingerprint,
    IReadOnlyList<BackupManifestEntry> Entries)
{
    /// <summary>The manifest's entry name.</summary>
    public const string FileName = "backup-manifest.json";

    public const int CurrentFormatVersion = 1;

    private static readonly JsonSerializerOptions _json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The JSON writer settings <see cref="ToUtf8Json"/> writes with, for writing a manifest entry by entry.</summary>
    internal static JsonWriterOptions WriterOptions => new()
    {
        Indented = _json.WriteIndented,
        IndentCharacter = _json.IndentCharacter,
        IndentSize = _json.IndentSize,
        NewLine = _json.NewLine,
        Encoder = _json.Encoder,
    };

    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, _json);

    /// <summary>A property's JSON name as <see cref="ToUtf8Json"/> writes it (snake_case).</summary>
    internal static JsonEncodedText PropertyName(string propertyName) =>
        JsonEncodedText.Encode(_json.PropertyNamingPolicy!.ConvertName(propertyName), _json.Encoder);

    /// <summary>Reads a manifest; throws <see cref="JsonException"/> when it is not one.</summary>
    public static BackupManifest Parse(Stream utf8Json) =>
        JsonSerializer.Deserialize<BackupManifest>(utf8Json, _json) ?? throw new JsonException("The manifest is empty (null).");
}
