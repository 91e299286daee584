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

    private static readonly string[] _storedExtensions =
        [".3mf", ".mp4", ".png", ".jpg", ".jpeg", ".zip", ".gz", ".webp", ".mov", ".avi", ".mkv", ".7z"];

    /// <summary>
    /// Walks <paramref name="dataDirectory"/> into entries sorted by name (ordinal). Symbolic links are
    /// never followed (a link could lead out of DATA_DIR); each one skipped is named in the warnings.
    /// </summary>
    public static BackupEntryPlan Plan(string dataDirectory, CancellationToken cancellationToken)
    {
        var root = new DirectoryInfo(Path.GetFullPath(dataDirectory));
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"The data directory '{root.FullName}' does not exist.");
        }

        var entries = new List<BackupEntry>();
        var warnings = new List<string>();

        var key = new FileInfo(Path.Combine(root.FullName, MfaKeyFileName));
        if (key.Exists)
        {
            AddFile(key, MfaKeyFileName, entries, warnings);
        }

        foreach (var folder in DataFolders)
        {
            var directory = new DirectoryInfo(Path.Combine(root.FullName, folder));
            if (!directory.Exists)
            {
                continue;
            }

            if (directory.LinkTarget is not null)
            {
                warnings.Add($"Skipped '{folder}/': it is a symbolic link (to '{directory.LinkTarget}'), which a backup never follows.");
                continue;
            }

            Walk(directory, folder, entries, warnings, cancellationToken);
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new BackupEntryPlan(entries, warnings);
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

    private static void Walk(DirectoryInfo directory, string prefix, List<BackupEntry> entries, List<string> warnings, CancellationToken cancellationToken)
    {
        // An explicit stack instead of recursion: archive trees can be deep, and the walk never descends into links.
        var pending = new Stack<(DirectoryInfo Directory, string Prefix)>();
        pending.Push((directory, prefix));
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = false,
            AttributesToSkip = 0,
            IgnoreInaccessible = false,
            ReturnSpecialDirectories = false,
        };

        while (pending.TryPop(out var current))
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var item in current.Directory.EnumerateFileSystemInfos("*", options))
            {
                var name = current.Prefix + "/" + item.Name;
                if (item.LinkTarget is not null)
                {
                    warnings.Add($"Skipped '{name}': it is a symbolic link (to '{item.LinkTarget}'), which a backup never follows.");
                    continue;
                }

                if (item.Name.Contains('\\'))
                {
                    warnings.Add($"Skipped '{name}': its name holds a backslash, which ZIP readers take for a folder separator.");
                    continue;
                }

                if (item is DirectoryInfo subdirectory)
                {
                    pending.Push((subdirectory, name));
                }
                else if (item is FileInfo file)
                {
                    AddFile(file, name, entries, warnings);
                }
            }
        }
    }

    private static void AddFile(FileInfo file, string name, List<BackupEntry> entries, List<string> warnings)
    {
        if (file.LinkTarget is not null)
        {
            warnings.Add($"Skipped '{name}': it is a symbolic link (to '{file.LinkTarget}'), which a backup never follows.");
            return;
        }

        entries.Add(BackupEntry.FromFile(name, file.FullName, file.Length, CompressionFor(name), file.LastWriteTime));
    }
}
