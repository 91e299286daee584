namespace Bambuddy.Restore.Tests.Zip;

/// <summary>How <see cref="RawZipWriter"/> forges the end of the ZIP.</summary>
internal sealed record RawZipOptions
{
    /// <summary>Write a Zip64 end record even when nothing needs one.</summary>
    public bool ForceZip64End { get; init; }

    /// <summary>The entry count the end records declare, when it should not be the real one.</summary>
    public ulong? DeclaredEntryCount { get; init; }

    /// <summary>Added to the central directory's offset in the end record.</summary>
    public ulong DirectoryOffsetShift { get; init; }

    public byte[] Comment { get; init; } = [];
}
