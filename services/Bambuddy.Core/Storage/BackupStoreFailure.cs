namespace Bambuddy.Core.Storage;

/// <summary>Why a backup store operation failed.</summary>
public enum BackupStoreFailure
{
    /// <summary>Anything not named below (an I/O error, an unexpected answer).</summary>
    Other,

    /// <summary>The store could not be reached: connection refused, name not resolved, timed out.</summary>
    Unreachable,

    /// <summary>The store refused the credentials or the operation.</summary>
    AccessDenied,

    /// <summary>The S3 bucket does not exist (and could not be created).</summary>
    BucketNotFound,

    /// <summary>There is no backup by that name.</summary>
    NotFound,

    /// <summary>A backup by that name already exists; backups are never overwritten.</summary>
    AlreadyExists,

    /// <summary>What was stored does not match the expected size or SHA-256.</summary>
    VerificationFailed,

    /// <summary>The requested byte range lies outside the backup.</summary>
    InvalidRange,
}
