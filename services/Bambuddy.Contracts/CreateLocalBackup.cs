namespace Bambuddy.Contracts;

/// <summary>Build one full backup ZIP of the installation. <paramref name="JobId"/> is the idempotency key.</summary>
/// <param name="JobId">The job this command belongs to.</param>
/// <param name="Kind"><see cref="JobKinds.LocalBackup"/>, <see cref="JobKinds.DownloadBackup"/> or <see cref="JobKinds.SafetyBackup"/>.</param>
/// <param name="Trigger">One of <see cref="Triggers"/>.</param>
/// <param name="OutputPath">The output folder; empty means the default, <c>DATA_DIR/backups/</c>.</param>
/// <param name="Retention">How many of our backups of this kind to keep after this one succeeds.</param>
/// <param name="RequestedAt">When the job was created.</param>
/// <param name="OffsiteCopy">The S3 copy to make too, or null.</param>
public sealed record CreateLocalBackup(
    Guid JobId,
    string Kind,
    string Trigger,
    string OutputPath,
    int Retention,
    DateTimeOffset RequestedAt,
    S3Location? OffsiteCopy = null);
