namespace Bambuddy.Core.Archive;

/// <summary>The step a backup is in, as reported in its progress.</summary>
public enum ArchivePhase
{
    /// <summary>Copying the database into a portable SQLite snapshot.</summary>
    SnapshottingDatabase,

    /// <summary>Listing the data files and checking free space.</summary>
    Planning,

    /// <summary>Streaming entries into the ZIP.</summary>
    Writing,

    /// <summary>Flushing the ZIP to disk and renaming it into place.</summary>
    Publishing,

    /// <summary>The ZIP is in place.</summary>
    Completed,
}
