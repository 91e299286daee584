namespace Bambuddy.Core.Archive;

/// <summary>A backup would not fit: the message names the folder and the bytes needed and available.</summary>
public sealed class InsufficientSpaceException(string path, long bytesNeeded, long bytesAvailable)
    : IOException($"Not enough free space at '{path}': the backup needs about {bytesNeeded:N0} bytes there and {bytesAvailable:N0} are available.")
{
    public string Path { get; } = path;

    public long BytesNeeded { get; } = bytesNeeded;

    public long BytesAvailable { get; } = bytesAvailable;
}
