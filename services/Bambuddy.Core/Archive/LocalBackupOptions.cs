namespace Bambuddy.Core.Archive;

/// <summary>Knobs of <see cref="LocalBackupWriter"/>; the defaults suit production.</summary>
public sealed class LocalBackupOptions
{
    /// <summary>The clock that names backups.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Free space asked for beyond the estimate, at the output and temp folders alike.</summary>
    public long ExtraFreeSpaceBytes { get; init; }
}
