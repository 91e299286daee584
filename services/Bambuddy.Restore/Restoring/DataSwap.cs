using Bambuddy.Core.Archive;
using Bambuddy.Core.Restore;

namespace Bambuddy.Restore.Restoring;

/// <summary>
/// Moves the extracted data folders and the MFA key into the installation, and back. Every step
/// is a rename on one file system, recorded in the journal before the next, and safe to repeat, so
/// a replay after a crash finishes (or undoes) exactly what is left.
/// </summary>
public static class DataSwap
{
    public const string StagingPrefix = ".bambuddy-restore-";

    /// <summary>Plans the swap of the five data folders for a job; mount points swap their contents.</summary>
    public static List<FolderSwap> Plan(string dataDirectory, string workspaceRoot, Guid jobId, Func<string, bool> isMountPoint)
    {
        var plans = new List<FolderSwap>();
        foreach (var name in BackupEntryPlanner.DataFolders)
        {
            var target = Path.Combine(dataDirectory, name);
            if (Directory.Exists(target) && isMountPoint(target))
            {
                var stagingRoot = Path.Combine(target, StagingPrefix + jobId.ToString("N"));
                plans.Add(new FolderSwap
                {
                    Name = name, Target = target, ContentsOnly = true, StagingRoot = stagingRoot,
                    StagedNew = Path.Combine(stagingRoot, "new", name), StagedOld = Path.Combine(stagingRoot, "old"),
                });
            }
            else
            {
                plans.Add(new FolderSwap
                {
                    Name = name, Target = target,
                    StagedNew = Path.Combine(workspaceRoot, "new", name), StagedOld = Path.Combine(workspaceRoot, "old", name),
                });
            }
        }

        return plans;
    }

    /// <summary>Where entries of <paramref name="swap"/>'s folder are extracted to (the folder holding <c>{name}/…</c>).</summary>
    public static string ExtractionRoot(FolderSwap swap) => Path.GetDirectoryName(swap.StagedNew)!;

    public static string StagedMfaKey(string workspaceRoot) => Path.Combine(workspaceRoot, "new", BackupEntryPlanner.MfaKeyFileName);

    private static string OldMfaKey(string workspaceRoot) => Path.Combine(workspaceRoot, "old", BackupEntryPlanner.MfaKeyFileName);

    /// <summary>Puts the staged key in place (when the backup had one); the old key is kept aside until the end.</summary>
    public static void ApplyMfaKey(RestoreJournal journal, Action save)
    {
        var target = Path.Combine(journal.DataDirectory, BackupEntryPlanner.MfaKeyFileName);
        var staged = StagedMfaKey(journal.WorkspaceRoot);
        var old = OldMfaKey(journal.WorkspaceRoot);
        if (journal.MfaKey == MfaKeyStep.Pending)
        {
            if (File.Exists(staged) && File.Exists(target) && !File.Exists(old))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(old)!);
                File.Move(target, old);
            }

            journal.MfaKey = MfaKeyStep.OldMovedAside;
            save();
        }

        if (journal.MfaKey == MfaKeyStep.OldMovedAside)
        {
            if (File.Exists(staged))
            {
                File.Move(staged, target, overwrite: true);
            }

            FileSystemSync.FlushFolder(journal.DataDirectory);
            journal.MfaKey = MfaKeyStep.Swapped;
            save();
        }
    }

    public static void RevertMfaKey(RestoreJournal journal, Action save)
    {
        var target = Path.Combine(journal.DataDirectory, BackupEntryPlanner.MfaKeyFileName);
        var staged = StagedMfaKey(journal.WorkspaceRoot);
        var old = OldMfaKey(journal.WorkspaceRoot);
        if (journal.MfaKey == MfaKeyStep.Swapped)
        {
            if (!File.Exists(staged) && File.Exists(target) && File.Exists(old))
            {
                // The staged key went in; take it back out before the old one returns.
                File.Move(target, staged);
            }

            journal.MfaKey = MfaKeyStep.OldMovedAside;
            save();
        }

        if (journal.MfaKey == MfaKeyStep.OldMovedAside)
        {
            if (File.Exists(old))
            {
                File.Move(old, target, overwrite: true);
            }

            FileSystemSync.FlushFolder(journal.DataDirectory);
            journal.MfaKey = MfaKeyStep.Pending;
            save();
        }
    }

    /// <summary>Swaps one folder in; repeatable from any step it reached.</summary>
    public static void Apply(FolderSwap swap, Action save)
    {
        if (swap.Step == FolderSwapStep.Pending)
        {
            Directory.CreateDirectory(swap.StagedNew);
            if (swap.ContentsOnly)
            {
                MoveChildren(swap.Target, swap.StagedOld, except: swap.StagingRoot);
            }
            else if (Directory.Exists(swap.Target) && !Directory.Exists(swap.StagedOld))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(swap.StagedOld)!);
                Directory.Move(swap.Target, swap.StagedOld);
            }

            swap.Step = FolderSwapStep.OldMovedAside;
            save();
        }

        if (swap.Step == FolderSwapStep.OldMovedAside)
        {
            if (swap.ContentsOnly)
            {
                MoveChildren(swap.StagedNew, swap.Target, except: null);
                FileSystemSync.FlushFolder(swap.Target);
            }
            else
            {
                if (Directory.Exists(swap.StagedNew) && !Directory.Exists(swap.Target))
                {
                    Directory.Move(swap.StagedNew, swap.Target);
                }

                FileSystemSync.FlushFolder(Path.GetDirectoryName(swap.Target)!);
            }

            swap.Step = FolderSwapStep.Swapped;
            save();
        }
    }

    /// <summary>Undoes <see cref="Apply"/> from whatever step it reached.</summary>
    public static void Revert(FolderSwap swap, Action save)
    {
        if (swap.Step == FolderSwapStep.Swapped || swap.Step == FolderSwapStep.OldMovedAside)
        {
            if (swap.ContentsOnly)
            {
                Directory.CreateDirectory(swap.StagedNew);
                MoveChildren(swap.Target, swap.StagedNew, except: swap.StagingRoot);
                MoveChildren(swap.StagedOld, swap.Target, except: null);
            }
            else
            {
                if (Directory.Exists(swap.Target) && !Directory.Exists(swap.StagedNew))
                {
                    Directory.Move(swap.Target, swap.StagedNew);
                }

                if (Directory.Exists(swap.StagedOld) && !Directory.Exists(swap.Target))
                {
                    Directory.Move(swap.StagedOld, swap.Target);
                }
            }

            FileSystemSync.FlushFolder(swap.ContentsOnly ? swap.Target : Path.GetDirectoryName(swap.Target)!);
            swap.Step = FolderSwapStep.Pending;
            save();
        }
    }

    /// <summary>Moves every entry of <paramref name="from"/> into <paramref name="to"/> (renames; same file system).</summary>
    private static void MoveChildren(string from, string to, string? except)
    {
        if (!Directory.Exists(from))
        {
            return;
        }

        Directory.CreateDirectory(to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            if (except is not null && string.Equals(entry.FullName, Path.GetFullPath(except), StringComparison.Ordinal))
            {
                continue;
            }

            var destination = Path.Combine(to, entry.Name);
            if (entry is DirectoryInfo)
            {
                Directory.Move(entry.FullName, destination);
            }
            else
            {
                File.Move(entry.FullName, destination);
            }
        }
    }

    /// <summary>Removes a job's staging folders (the workspace and the per-mount ones), quietly.</summary>
    public static void RemoveStaging(RestoreJournal journal)
    {
        foreach (var swap in journal.Folders.Where(s => s.StagingRoot is not null))
        {
            DeleteQuietly(swap.StagingRoot!);
        }

        DeleteQuietly(journal.WorkspaceRoot);
    }

    public static void DeleteQuietly(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Leftovers of a staging folder are harmless; the next restore of the same job removes them.
        }
    }
}
