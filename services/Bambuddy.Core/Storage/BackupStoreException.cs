namespace Bambuddy.Core.Storage;

/// <summary>A backup store operation failed; <see cref="Reason"/> says why in a form code can act on.</summary>
public sealed class BackupStoreException : Exception
{
    public BackupStoreException(BackupStoreFailure reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public BackupStoreFailure Reason { get; }
}
