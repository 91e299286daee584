namespace Bambuddy.GitSync.Export;

/// <summary>
/// The files of a git backup repository the export owns: written when their data exists, deleted when it does
/// not. Anything else in the repository (a README the user added) is left alone.
/// </summary>
public static class ManagedPaths
{
    public const string Metadata = "backup_metadata.json";

    private static readonly string[] Folders = ["kprofiles/", "cloud_profiles/", "settings/", "spools/", "archives/"];

    /// <summary>Whether a repository path (<c>/</c>-separated, relative) belongs to the export.</summary>
    public static bool IsManaged(string path) =>
        path == Metadata || Folders.Any(folder => path.StartsWith(folder, StringComparison.Ordinal));
}
