using System.IO.Enumeration;

namespace Bambuddy.Core.Archive;

/// <summary>
/// Lists the files of a data directory that a full backup holds (DESIGN §1, §4), without reading them:
/// the folders <c>archive/</c>, <c>virtual_printer/</c>, <c>projects/</c>, <c>icons/</c>,
/// <c>plate_calibration/</c> (each optional) and the file <c>.mfa_encryption_key</c>.
/// </summary>
public static class BackupEntryPlanner
{
    /// <summary>The data folders a backup holds, in DATA_DIR.</summary>
    public static readonly IReadOnlyList<string> DataFolders = ["archive", "virtual_printer", "projects", "icons", "plate_calibration"];

    /// <summary>The MFA key file in DATA_DIR.</summary>
    public const string MfaKeyFileName = ".mfa_encryption_key";

    private static readonly EnumerationOptions _options = new()
    {
        RecurseSubdirectories = false,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        ReturnSpecialDirectories = false,
    };

    private static readonly string[] _storedExtensions =
        [".3mf", ".mp4", ".png", ".jpg", ".jpeg", ".zip", ".gz", ".webp", ".mov", ".avi", ".mkv", ".7z"];

    /// <summary>
    /// Walks <paramref name="dataDirectory"/> into entries sorted by name (ordinal), as one list: for small
    /// folders and tests. A backup streams them with <see cref="Enumerate"/> instead.
    /// </summary>
    public static BackupEntryPlan Plan(string dataDirectory, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        var entries = Enumerate(dataDirectory, warnings.Add, cancellationToken).ToList();
        return new BackupEntryPlan(entries, warnings);
    }

    /// <summary>
    /// Walks <paramref name="dataDirectory"/> lazily, one folder's listing at a time, yielding its entries
    /// sorted by name (ordinal) as <see cref="Plan"/> lists them, so memory stays flat whatever the file count.
    /// Each walk lists the folders afresh: a size is the one a file had when its folder was listed. Symbolic
    /// links are never followed (a link could lead out of DATA_DIR); each one skipped is passed to
    /// <paramref name="onWarning"/> as the walk meets it.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The data directory does not exist (thrown at once).</exception>
    public static IEnumerable<BackupEntry> Enumerate(string dataDirectory, Action<string>? onWarning, CancellationToken cancellationToken)
    {
        var root = new DirectoryInfo(Path.GetFullPath(dataDirectory));
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"The data directory '{root.FullName}' does not exist.");
        }

        return Walk(root.FullName, onWarning ?? (_ => { }), cancellationToken);
    }

    /// <summary>Whether a file of this name is stored rather than deflated: its content is already compressed.</summary>
    public static BackupEntryCompression CompressionFor(string name)
    {
        foreach (var extension in _storedExtensions)
        {
            if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            {
                return BackupEntryCompression.Store;
            }
        }

        return BackupEntryCompression.Deflate;
    }

    private static IEnumerable<BackupEntry> Walk(string root, Action<string> warn, CancellationToken cancellationToken)
    {
        // A depth-first walk with each folder's children sorted, a folder as if its name ended in '/': that
        // yields the files in the ordinal order of their full names, with one listing per level in memory.
        var pending = new Stack<Folder>();
        pending.Push(new Folder(root, "", TopLevel(root, warn)));
        while (pending.TryPeek(out var folder))
        {
            if (folder.Next == folder.Children.Count)
            {
                pending.Pop();
                continue;
            }

            var child = folder.Children[folder.Next++];
            var name = folder.Prefix.Length == 0 ? child.Name : folder.Prefix + "/" + child.Name;
            var path = Path.Combine(folder.Path, child.Name);
            if (child.IsLink)
            {
                warn($"Skipped '{name}': it is a symbolic link (to '{new FileInfo(path).LinkTarget}'), which a backup never follows.");
                continue;
            }

            if (child.Name.Contains('\\'))
            {
                warn($"Skipped '{name}': its name holds a backslash, which ZIP readers take for a folder separator.");
                continue;
            }

            if (child.IsDirectory)
            {
                cancellationToken.ThrowIfCancellationRequested();
                pending.Push(new Folder(path, name, List(path)));
            }
            else
            {
                yield return BackupEntry.FromFile(name, path, child.Length, CompressionFor(name), child.LastWriteTime);
            }
        }
    }

    /// <summary>The key file and the data folders that exist; a data folder that is a link is skipped here.</summary>
    private static List<Child> TopLevel(string root, Action<string> warn)
    {
        var children = new List<Child>();
        var key = new FileInfo(Path.Combine(root, MfaKeyFileName));
        if (key.Exists)
        {
            children.Add(new Child(MfaKeyFileName, MfaKeyFileName, false, key.LinkTarget is not null, key.Length, key.LastWriteTimeUtc));
        }

        foreach (var folder in DataFolders)
        {
            var directory = new DirectoryInfo(Path.Combine(root, folder));
            if (!directory.Exists)
            {
                continue;
            }

            if (directory.LinkTarget is not null)
            {
                warn($"Skipped '{folder}/': it is a symbolic link (to '{directory.LinkTarget}'), which a backup never follows.");
                continue;
            }

            children.Add(new Child(folder, folder + "/", true, false, 0, default));
        }

        children.Sort(static (a, b) => string.CompareOrdinal(a.SortKey, b.SortKey));
        return children;
    }

    private static List<Child> List(string directory)
    {
        List<Child> children;
        try
        {
            children = [.. new FileSystemEnumerable<Child>(directory, ToChild, _options)];
        }
        catch (DirectoryNotFoundException)
        {
            // Deleted since its parent was listed: as if it had gone a moment earlier.
            return [];
        }

        children.Sort(static (a, b) => string.CompareOrdinal(a.SortKey, b.SortKey));
        return children;
    }

    private static Child ToChild(ref FileSystemEntry entry)
    {
        var name = entry.FileName.ToString();
        var isLink = (entry.Attributes & FileAttributes.ReparsePoint) != 0;
        var isDirectory = !isLink && entry.IsDirectory;
        return new Child(name, isDirectory ? name + "/" : name, isDirectory, isLink, isDirectory || isLink ? 0 : entry.Length, entry.LastWriteTimeUtc);
    }

    /// <summary>A folder being walked: its listing and how far the walk is in it.</summary>
    private sealed class Folder(string path, string prefix, List<Child> children)
    {
        public string Path { get; } = path;

        public string Prefix { get; } = prefix;

        public List<Child> Children { get; } = children;

        public int Next { get; set; }
    }

    /// <param name="SortKey">The name, with a '/' after it for a folder (its files' names go on that way).</param>
    private readonly record struct Child(string Name, string SortKey, bool IsDirectory, bool IsLink, long Length, DateTimeOffset LastWriteTime);
}
