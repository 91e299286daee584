namespace Bambuddy.Core.Storage;

/// <summary>
/// Where finished backup ZIPs live (DESIGN §3): a local or network folder, or an S3-compatible bucket.
/// Names are plain file names of the form <c>bambuddy-backup-*.zip</c>; any other name (a path, <c>..</c>,
/// NUL, another file) is refused with an <see cref="ArgumentException"/> before anything is touched.
/// Failures of the store itself surface as <see cref="BackupStoreException"/> with a
/// <see cref="BackupStoreException.Reason"/>; cancellation as <see cref="OperationCanceledException"/>.
/// </summary>
public interface IBackupStore
{
    /// <summary>Which kind of store this is: <c>local</c> or <c>s3</c>.</summary>
    string Location { get; }

    /// <summary>The finished backups in the store, ordered by name; partial or temporary files and other names never appear.</summary>
    Task<IReadOnlyList<StoredBackup>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The backup named <paramref name="name"/>, or null when the store has none by that name.</summary>
    Task<StoredBackup?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Whether the store holds a finished backup named <paramref name="name"/>.</summary>
    Task<bool> ExistsAsync(string name, CancellationToken cancellationToken);

    /// <summary>Opens the whole backup for reading, front to back (the stream need not be seekable).</summary>
    /// <exception cref="BackupStoreException">With <see cref="BackupStoreFailure.NotFound"/> when there is no such backup.</exception>
    Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Opens <paramref name="length"/> bytes of the backup from <paramref name="offset"/> (to its end when
    /// <paramref name="length"/> is null), as an HTTP <c>Range</c> download needs. The offset must lie inside the backup.
    /// </summary>
    /// <exception cref="BackupStoreException">With <see cref="BackupStoreFailure.InvalidRange"/> when the offset is past the end.</exception>
    Task<Stream> OpenReadRangeAsync(string name, long offset, long? length, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="content"/> read to its end as the backup <paramref name="name"/>, never in place of an
    /// existing one. The backup becomes visible only once complete and verified: its length must equal
    /// <paramref name="size"/> when given, and its SHA-256 must equal <paramref name="sha256"/> (64 hex digits);
    /// otherwise nothing is left behind and <see cref="BackupStoreFailure.VerificationFailed"/> is thrown.
    /// </summary>
    /// <returns>The backup as stored.</returns>
    Task<StoredBackup> WriteAsync(string name, Stream content, long? size, string sha256, CancellationToken cancellationToken);

    /// <summary>Deletes the backup; returns false when there was none by that name.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}
