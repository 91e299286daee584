using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The backup system's own state directory: <c>BACKUP_STATE_DIR</c>, else
/// <c>/var/lib/bambuddy-backup</c> as root and <c>~/.local/state/bambuddy-backup</c> otherwise (DESIGN §8).
/// </summary>
public static class StateDirectory
{
    public const string Variable = "BACKUP_STATE_DIR";

    /// <summary>Resolves the state directory and creates it when missing.</summary>
    public static string Resolve(IConfiguration? configuration = null)
    {
        var configured = configuration?[Variable] ?? Environment.GetEnvironmentVariable(Variable);
        var path = string.IsNullOrWhiteSpace(configured) ? Default() : Path.GetFullPath(configured);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string Default()
    {
        if (OperatingSystem.IsLinux() && Environment.UserName == "root")
        {
            return "/var/lib/bambuddy-backup";
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".local", "state", "bambuddy-backup");
    }
}
