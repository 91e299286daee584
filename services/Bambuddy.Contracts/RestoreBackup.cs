namespace Bambuddy.Contracts;

/// <summary>Restore the installation from a backup ZIP.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Trigger">One of <see cref="Triggers"/>.</param>
/// <param name="SourceKind"><c>stored</c> (a backup by file name, local or S3) or <c>upload</c> (a spooled upload).</param>
/// <param name="Source">The stored backup's file name, or the spooled upload's path in the state directory.</param>
/// <param name="Force">Restore even when other sessions use the database.</param>
/// <param name="AllowOrphans">Restore even when the backup has broken foreign keys.</param>
/// <param name="AllowSchemaLoss">Restore even when the target lacks tables or columns of the backup.</param>
/// <param name="RequestedAt">When the job was created.</param>
/// <param name="SafetyBackupJobId">The id the restore's safety backup (its child job) gets; fixed up front so a redelivered restore reuses it.</param>
/// <param name="OutputPath">Where the safety backup goes (the local backup settings' path; empty = default).</param>
/// <param name="StoredCopy">The S3 copy of a stored backup, used when its local copy is gone; null when there is none.</param>
public sealed record RestoreBackup(
    Guid JobId,
    string Trigger,
    string SourceKind,
    string Source,
    bool Force,
    bool AllowOrphans,
    bool AllowSchemaLoss,
    DateTimeOffset RequestedAt,
    Guid SafetyBackupJobId,
    string OutputPath = "",
    S3Location? StoredCopy = null);
