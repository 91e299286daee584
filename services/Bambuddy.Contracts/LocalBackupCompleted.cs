namespace Bambuddy.Contracts;

/// <summary>A backup ZIP was written and renamed into place.</summary>
/// <param name="JobId">The job.</param>
/// <param name="FileName">The ZIP's name, <c>bambuddy-backup-YYYYMMDD-HHMMSS.zip</c>.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Sha256">Its SHA-256, lower-case hex.</param>
/// <param name="Locations">Where copies are: <c>local</c>, <c>s3</c>.</param>
/// <param name="Message">A human-readable summary (warnings included).</param>
/// <param name="CompletedAt">When it finished.</param>
public sealed record LocalBackupCompleted(
    Guid JobId,
    string FileName,
    long Size,
    string Sha256,
    IReadOnlyList<string> Locations,
    string Message,
    DateTimeOffset CompletedAt);
