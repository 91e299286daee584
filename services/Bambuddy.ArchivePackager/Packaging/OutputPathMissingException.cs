namespace Bambuddy.ArchivePackager.Packaging;

public sealed class OutputPathMissingException(string path)
    : IOException($"The backup folder {path} does not exist (an unmounted share?); no backup was written. Mount it, or change the path in the settings.")
{
    public string Path { get; } = path;
}
