using System.Diagnostics;
using System.Text.Json;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Installation;

namespace Bambuddy.Bench;

/// <summary>
/// The hidden child command: the archive-packager's whole backup path (<see cref="LocalBackupWriter"/>) in a
/// process of its own, so its peak RSS is the packager's and not the benchmark's. Prints one JSON line.
/// </summary>
public static class PackagerRun
{
    public const string Command = "packager-run";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Count != 3)
        {
            throw new ArgumentException($"{Command} <data dir> <output dir> <temp dir>");
        }

        var installation = new BambuddyInstallation(args[0], DatabaseBackend.Sqlite, Path.Combine(args[0], "bambuddy.db"));
        var started = Stopwatch.StartNew();
        var result = await new LocalBackupWriter().WriteAsync(installation, args[1], args[2], TimeZoneInfo.Utc, null, cancellationToken);
        var seconds = started.Elapsed.TotalSeconds;
        var gc = GC.GetGCMemoryInfo();
        Console.WriteLine(JsonSerializer.Serialize(new PackagerRunReport(
            seconds, result.Size, result.EntryCount, ReadStatusKilobytes("VmHWM"), result.FullPath, gc.HeapSizeBytes, gc.TotalCommittedBytes)));
        return 0;
    }

    /// <summary>This benchmark's own executable (to start its hidden child commands), or <c>dotnet bench.dll</c> when started that way.</summary>
    public static (string Program, string[] Prefix) SelfCommand()
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
        return Path.GetFileNameWithoutExtension(path) == "dotnet" ? (path, [typeof(PackagerRun).Assembly.Location]) : (path, []);
    }

    /// <summary>A <c>kB</c> field of /proc/self/status, such as VmHWM (the peak resident set size).</summary>
    public static long ReadStatusKilobytes(string field, int? pid = null)
    {
        foreach (var line in File.ReadLines($"/proc/{pid?.ToString() ?? "self"}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"No {field} in /proc status.");
    }
}
