namespace Bambuddy.Core.Archive;

/// <summary>How an entry's bytes go into the archive.</summary>
public enum BackupEntryCompression
{
    /// <summary>Kept as is: content that is already compressed (3MF, video, images, archives).</summary>
    Store,

    /// <summary>Deflated (text, the database).</summary>
    Deflate,
}
