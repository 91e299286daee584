namespace Bambuddy.EndToEnd.Tests;

/// <summary>Fresh state folders under /tmp that the postgres user can enter; leftovers of killed runs are removed.</summary>
internal static class TestDirectories
{
    private const string Prefix = "bambuddy-test-";

    public static string Create(string purpose)
    {
        RemoveStale();
        var path = Path.Combine(Path.GetTempPath(), $"{Prefix}{purpose}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..12]}");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    public static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Folders whose owning test host (the pid in the name) is gone.</summary>
    private static void RemoveStale()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var parts = Path.GetFileName(dir).Split('-');
            if (parts.Length > 3 && int.TryParse(parts[3], out var pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}")
                && Directory.GetLastWriteTimeUtc(dir) < DateTime.UtcNow.AddMinutes(-10))
            {
                Delete(dir);
            }
        }
    }
}
