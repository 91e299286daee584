using System.Globalization;

namespace Bambuddy.Bench;

/// <summary>
/// What every timing starts from: earlier writes flushed (so one measurement does not pay for the last),
/// and the source read once so all of them see the same warm page cache (caches cannot be dropped here).
/// </summary>
public static class DiskState
{
    public static async Task SettleAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        await ProcessRunner.RunAsync("sync", [], null, null, cancellationToken);
        var buffer = new byte[1 << 20];
        foreach (var file in Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            while (await stream.ReadAsync(buffer, cancellationToken) > 0)
            {
            }
        }
    }

    public static (long Bytes, int Files) Measure(string directory)
    {
        long bytes = 0;
        var files = 0;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            bytes += file.Length;
            files++;
        }

        return (bytes, files);
    }

    public static string LoadAverage() =>
        string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + $" (1/5/15 min, {Environment.ProcessorCount} cores)";

    public static void DeleteIfPresent(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    public static string Mb(double bytesPerSecond) => (bytesPerSecond / 1e6).ToString("N1", CultureInfo.InvariantCulture);
}
