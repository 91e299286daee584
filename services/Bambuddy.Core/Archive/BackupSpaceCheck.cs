namespace Bambuddy.Core.Archive;

/// <summary>
/// Checks free space before a backup (DESIGN §3) so it fails at once rather than after filling a disk.
/// Needs on the same file system are added up.
/// </summary>
public static class BackupSpaceCheck
{
    /// <summary>
    /// Throws <see cref="InsufficientSpaceException"/> when a folder's file system has less free space than
    /// the bytes asked of it (plus what other folders on the same file system ask).
    /// </summary>
    public static void Ensure(IEnumerable<(string Path, long Bytes)> needs)
    {
        var byFileSystem = new List<(string Path, long Bytes, long Available, long Total)>();
        foreach (var (path, bytes) in needs)
        {
            var drive = new DriveInfo(ExistingAncestor(Path.GetFullPath(path)));
            var available = drive.AvailableFreeSpace;
            var total = drive.TotalSize;

            // .NET does not expose a file system's id; equal size and free space is as good a sign of the same one.
            var same = byFileSystem.FindIndex(f => f.Total == total && f.Available == available);
            if (same >= 0)
            {
                var f = byFileSystem[same];
                byFileSystem[same] = (f.Path, f.Bytes + bytes, f.Available, f.Total);
            }
            else
            {
                byFileSystem.Add((path, bytes, available, total));
            }
        }

        foreach (var (path, bytes, available, _) in byFileSystem)
        {
            if (bytes > available)
            {
                throw new InsufficientSpaceException(path, bytes, available);
            }
        }
    }

    /// <summary>What a ZIP of <paramref name="contentBytes"/> may take beyond its content: headers, the manifest, slack.</summary>
    public static long Margin(long contentBytes, int entryCount) =>
        (16L << 20) + contentBytes / 100 + entryCount * 512L;

    /// <summary>
    /// What the ZIP writer's temp files take while it runs: a central-directory record and a manifest line
    /// per entry, each with the entry's name (at most three UTF-8 bytes a character).
    /// </summary>
    public static long SpillBytes(int entryCount, long nameChars) =>
        (entryCount * 160L) + (nameChars * 3 * 2);

    private static string ExistingAncestor(string path)
    {
        var current = path;
        while (!Directory.Exists(current))
        {
            current = Path.GetDirectoryName(current) ?? throw new DirectoryNotFoundException($"No part of '{path}' exists.");
        }

        return current;
    }
}
