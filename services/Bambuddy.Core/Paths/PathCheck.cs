namespace Bambuddy.Core.Paths;

/// <summary>Can backups be written to a folder? Creates it when missing (when asked to) and writes a probe file.</summary>
public static class PathCheck
{
    /// <summary>Below this much free space a folder is reported <c>no_space</c>.</summary>
    public const long MinimumFreeBytes = 64L * 1024 * 1024;

    public static PathCheckResult Check(string path, bool create)
    {
        if (!System.IO.Path.IsPathFullyQualified(path))
        {
            return Fail(path, "error", "The path is not absolute.", "Give an absolute path such as /mnt/backups.");
        }

        try
        {
            if (File.Exists(path))
            {
                return Fail(path, "not_a_directory", "The path is a file, not a folder.", "Choose a folder.");
            }

            if (!Directory.Exists(path))
            {
                if (!create)
                {
                    return Fail(path, "missing", "The folder does not exist.", "Create it, or save the settings to have it created.");
                }

                Directory.CreateDirectory(path);
            }

            var probe = System.IO.Path.Combine(path, $".bambuddy-backup-probe-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);

            var free = new DriveInfo(path).AvailableFreeSpace;
            if (free < MinimumFreeBytes)
            {
                return Fail(path, "no_space", $"Only {free / (1024 * 1024)} MB are free.", "Free space on that disk or choose another folder.");
            }

            return new PathCheckResult(true, path, "ok", $"{free / (1024 * 1024)} MB free.", "", "The folder is writable.", null);
        }
        catch (UnauthorizedAccessException ex)
        {
            return Fail(path, "permission_denied", ex.Message, "Give the backup service write access to the folder.");
        }
        catch (IOException ex) when (ex.HResult == 30 || ex.Message.Contains("Read-only", StringComparison.OrdinalIgnoreCase))
        {
            return Fail(path, "read_only", ex.Message, "The file system is mounted read-only: remount it writable or choose another folder.");
        }
        catch (IOException ex) when (ex.HResult == 28 || ex.Message.Contains("No space", StringComparison.OrdinalIgnoreCase))
        {
            return Fail(path, "no_space", ex.Message, "Free space on that disk or choose another folder.");
        }
        catch (IOException ex)
        {
            return Fail(path, "error", ex.Message, "Check the path and the mount behind it.");
        }
    }

    private static PathCheckResult Fail(string path, string code, string detail, string remedy)
        => new(false, path, code, detail, remedy, $"The backup folder {path} cannot be used: {detail}", null);
}
