using System.Globalization;
using System.Text.Json;

namespace Bambuddy.Bench;

/// <summary>
/// The local-backup benchmark: our backup (the packager's path, in a child process) beside <c>zip -r</c> and
/// <c>cp -r</c> (+ <c>sync</c>) of the same bytes to the same disk, all in one run, then the PostgreSQL →
/// SQLite export beside a naive row-by-row copy.
/// </summary>
public static class LocalBackupBench
{
    private const long RssTargetBytes = 300L << 20;
    private const string PeakRssFile = "last-peak-rss-kb.txt";

    public static async Task<int> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var loadBefore = DiskState.LoadAverage();
        Directory.CreateDirectory(options.Directory);
        var bench = await BenchInstallation.GetOrCreateAsync(options, cancellationToken);
        var dataDir = bench.Installation.DataDirectory;
        var runDir = Path.Combine(options.Directory, $"run-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(runDir);
            var (bytes, files) = DiskState.Measure(dataDir);
            var database = new FileInfo(bench.Installation.SqlitePath!).Length;

            var ours = await TimeOursAsync(dataDir, runDir, cancellationToken);
            var zip = await TimeZipAsync(dataDir, runDir, cancellationToken);
            var copy = await TimeCopyAsync(dataDir, runDir, cancellationToken);
            var loadAfter = DiskState.LoadAverage();

            Console.WriteLine();
            Console.WriteLine($"== Local backup: {bytes / 1048576.0:N1} MiB in {files:N0} files (database {database / 1048576.0:N1} MiB, {bench.Marker.GeneratedRows:N0} rows) ==");
            Console.WriteLine($"Source and outputs on the same disk: {options.Directory}");
            Console.WriteLine($"Load average before: {loadBefore}; after the timings: {loadAfter}");
            Console.WriteLine("Page cache: warm for all three (caches cannot be dropped here, so the source was read once");
            Console.WriteLine("before each timing and earlier writes were flushed with sync first). Each was run once.");
            Console.WriteLine("MB/s = source bytes / seconds, 1 MB = 10^6 bytes.");
            Console.WriteLine();
            Console.WriteLine($"{"",-36}{"seconds",9}{"MB/s",10}{"ours/this",12}  target");
            Row("ours (LocalBackupWriter, child)", ours.Seconds, bytes, null, "");
            Row("zip -r -q (deflate, no fsync)", zip.Seconds, bytes, ours.Seconds, Verdict(zip.Seconds / ours.Seconds >= 4, ">= 4x"));
            Row("zip -r -q + sync", zip.Seconds + zip.SyncSeconds, bytes, ours.Seconds, "");
            Row("cp -r (no sync)", copy.Seconds, bytes, ours.Seconds, Verdict(copy.Seconds / ours.Seconds >= 0.8, ">= 0.80"));
            Row("cp -r + sync (the disk's limit)", copy.Seconds + copy.SyncSeconds, bytes, ours.Seconds,
                Verdict((copy.Seconds + copy.SyncSeconds) / ours.Seconds >= 0.8, ">= 0.80"));
            var peak = ours.PeakRssKilobytes * 1024;
            Console.WriteLine($"{"packager peak RSS (VmHWM of child)",-36}{peak / 1048576.0,19:N1} MiB{"",10}  {Verdict(peak < RssTargetBytes, "< 300 MiB")}");
            Console.WriteLine();
            Console.WriteLine($"ours: ZIP {ours.ZipBytes / 1048576.0:N1} MiB, {ours.Entries:N0} entries, includes fsync and SHA-256; the child process ran {ours.WallSeconds:N1} s in all (startup included), workstation GC as the packager.");
            Console.WriteLine($"ours: after its last GC the child's managed heap was {ours.GcHeapBytes / 1048576.0:N1} MiB, GC-committed {ours.GcCommittedBytes / 1048576.0:N1} MiB (the rest of the RSS is the runtime, SQLite and zlib).");
            Console.WriteLine($"zip -r: archive {zip.OutputBytes / 1048576.0:N1} MiB; sync after it took {zip.SyncSeconds:N1} s. cp -r alone {copy.Seconds:N1} s, its sync {copy.SyncSeconds:N1} s.");
            Console.WriteLine("ours writes and fsyncs its ZIP, so cp -r + sync is the like-for-like copy; cp -r alone ends with the data still in the page cache.");
            await File.WriteAllTextAsync(Path.Combine(bench.Folder, PeakRssFile), ours.PeakRssKilobytes.ToString(CultureInfo.InvariantCulture), cancellationToken);
            ComparePeakRss(options, ours.PeakRssKilobytes);

            await PostgresExportBench.RunAsync(options.Rows, runDir, cancellationToken);
        }
        finally
        {
            DiskState.DeleteIfPresent(runDir);
        }

        Console.WriteLine();
        Console.WriteLine($"The generated installation is kept for the next run in {bench.Folder}");
        Console.WriteLine($"({bench.Marker.GeneratedMediaBytes / 1048576.0:N0} MiB); delete it with: rm -rf '{bench.Folder}'  (or all bench data: rm -rf '{options.Directory}')");
        return 0;
    }

    private static async Task<OursTiming> TimeOursAsync(string dataDir, string runDir, CancellationToken cancellationToken)
    {
        var output = Path.Combine(runDir, "ours");
        var temp = Path.Combine(runDir, "ours-tmp");
        await DiskState.SettleAsync(dataDir, cancellationToken);
        Console.WriteLine("Timing ours (LocalBackupWriter in a child process) …");
        var (program, prefix) = PackagerRun.SelfCommand();
        var outcome = await ProcessRunner.RunAsync(program, [.. prefix, PackagerRun.Command, dataDir, output, temp], null,
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "0" }, cancellationToken);
        var report = JsonSerializer.Deserialize<PackagerRunReport>(outcome.Output.Trim().Split('\n')[^1])
            ?? throw new InvalidOperationException("The packager child printed no report.");
        DiskState.DeleteIfPresent(output);
        DiskState.DeleteIfPresent(temp);
        return new OursTiming(report.Seconds, outcome.Elapsed.TotalSeconds, report.ZipBytes, report.Entries, report.PeakRssKilobytes, report.GcHeapBytes, report.GcCommittedBytes);
    }

    private static async Task<ToolTiming> TimeZipAsync(string dataDir, string runDir, CancellationToken cancellationToken)
    {
        var output = Path.Combine(runDir, "zip");
        Directory.CreateDirectory(output);
        var archive = Path.Combine(output, "naive.zip");
        await DiskState.SettleAsync(dataDir, cancellationToken);
        Console.WriteLine("Timing zip -r -q …");
        // Run inside the data folder, as a naive backup would: every folder plus bambuddy.db.
        var zip = await ProcessRunner.RunAsync("zip", ["-r", "-q", archive, "."], dataDir, null, cancellationToken);
        var sync = await ProcessRunner.RunAsync("sync", [], null, null, cancellationToken);
        var size = new FileInfo(archive).Length;
        DiskState.DeleteIfPresent(output);
        return new ToolTiming(zip.Elapsed.TotalSeconds, sync.Elapsed.TotalSeconds, size);
    }

    private static async Task<ToolTiming> TimeCopyAsync(string dataDir, string runDir, CancellationToken cancellationToken)
    {
        var output = Path.Combine(runDir, "copy");
        await DiskState.SettleAsync(dataDir, cancellationToken);
        Console.WriteLine("Timing cp -r and sync …");
        var copy = await ProcessRunner.RunAsync("cp", ["-r", dataDir, output], null, null, cancellationToken);
        var sync = await ProcessRunner.RunAsync("sync", [], null, null, cancellationToken);
        var size = DiskState.Measure(output).Bytes;
        DiskState.DeleteIfPresent(output);
        return new ToolTiming(copy.Elapsed.TotalSeconds, sync.Elapsed.TotalSeconds, size);
    }

    /// <summary>
    /// The issue's second RSS target: a twice-as-large installation must not need more. Compared with the last
    /// run at half or at double this size (same rows) when its installation is still under the bench directory.
    /// </summary>
    private static void ComparePeakRss(BenchOptions options, long peakKilobytes)
    {
        var compared = false;
        foreach (var (other, smaller) in new[] { (options.MediaBytes / 2, true), (options.MediaBytes * 2, false) })
        {
            var file = Path.Combine(options.Directory, $"installation-{other}b-{options.Rows}rows-seed1", PeakRssFile);
            if (!File.Exists(file) || !long.TryParse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture, out var otherKilobytes))
            {
                continue;
            }

            var (small, large) = smaller ? (otherKilobytes, peakKilobytes) : (peakKilobytes, otherKilobytes);
            var label = $"peak RSS at {FormatSize(Math.Min(other, options.MediaBytes))} → {FormatSize(Math.Max(other, options.MediaBytes))}";
            var figures = $"{small / 1024.0:N1} → {large / 1024.0:N1} MiB";
            Console.WriteLine($"{label,-36}{figures,23}{"",10}  {Verdict(large <= small, "no higher")}  (the other size: its last run)");
            compared = true;
        }

        if (!compared)
        {
            Console.WriteLine($"Peak RSS must not grow with size: also run `dotnet run -c Release --project bench/Bambuddy.Bench -- local-backup --size {FormatSize(options.MediaBytes * 2)}" +
                $"{(options.Rows == 100_000 ? "" : $" --rows {options.Rows}")}`; each run compares itself with the other size's last run.");
        }
    }

    private static void Row(string name, double seconds, long bytes, double? oursSeconds, string target)
    {
        var ratio = oursSeconds is { } ours ? (seconds / ours).ToString("N2", CultureInfo.InvariantCulture) + "x" : "";
        Console.WriteLine($"{name,-36}{seconds,9:N1}{DiskState.Mb(bytes / seconds),10}{ratio,12}  {target}");
    }

    private static string Verdict(bool met, string target) => $"{target,-10} {(met ? "MET" : "NOT MET")}";

    private static string FormatSize(long bytes) =>
        bytes % (1L << 30) == 0 ? $"{bytes >> 30}GB" : $"{bytes >> 20}MB";
}
