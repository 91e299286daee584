namespace Bambuddy.Core.Archive;

/// <summary>What the manifest says about the backup as a whole.</summary>
/// <param name="CreatedAt">When the backup started.</param>
/// <param name="SourceBackend"><c>sqlite</c> or <c>postgresql</c>.</param>
/// <param name="SchemaFingerprint">See <see cref="SchemaFingerprint"/>.</param>
public sealed record BackupManifestInfo(DateTimeOffset CreatedAt, string SourceBackend, string SchemaFingerprint);
