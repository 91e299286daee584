using Bambuddy.Core.Jobs;
using Bambuddy.Core.Storage;

namespace Bambuddy.Scheduler.Jobs;

/// <summary>The ZIPs of download jobs, in the state directory (never DATA_DIR), kept for a day.</summary>
public sealed class DownloadFiles(WorkerPaths paths)
{
    public static readonly TimeSpan KeepFor = TimeSpan.FromDays(1);

    public string Folder => Path.Combine(paths.StateDirectory, "downloads");

    public string? Find(string fileName)
    {
        var path = Path.Combine(Folder, fileName);
        return BackupName.IsValid(fileName) && File.Exists(path) ? path : null;
    }

    public void Delete(string fileName)
    {
        if (Find(fileName) is { } path)
        {
            File.Delete(path);
        }
    }

    /// <summary>Removes downloads older than <see cref="KeepFor"/>.</summary>
    public void Prune()
    {
        if (!Directory.Exists(Folder))
        {
            return;
        }

        foreach (var file in new DirectoryInfo(Folder).EnumerateFiles("*.zip").Where(f => f.LastWriteTimeUtc < DateTime.UtcNow - KeepFor))
        {
            file.Delete();
        }
    }
}
