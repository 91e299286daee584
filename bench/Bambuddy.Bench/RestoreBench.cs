using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Restore.Zip;
using Bambuddy.Testing;
using Npgsql;

namespace Bambuddy.Bench;

/// <summary>
/// The restore benchmark: the local-backup benchmark's installation is backed up once (that full backup is
/// what a restore's safety backup costs, timed apart), then the restore worker's two halves run in child
/// processes beside their naive counterparts in the same run — files against <c>unzip -q</c>, the database
/// load into PostgreSQL and into SQLite against one prepared INSERT per row in one transaction.
/// </summary>
public static class RestoreBench
{
    public static async Task<int> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var loadBefore = DiskState.LoadAverage();
        Directory.CreateDirectory(options.Directory);
        var bench = await BenchInstallation.GetOrCreateAsync(options, cancellationToken);
        var runDir = Path.Combine(options.Directory, $"restore-run-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(runDir);
            Console.WriteLine("Making the backup to restore (the same work as a restore's safety backup) …");
            var (program, prefix) = PackagerRun.SelfCommand();
            await DiskState.SettleAsync(bench.Installation.DataDirectory, cancellationToken);
            var backup = await ProcessRunner.RunAsync(program, [.. prefix, PackagerRun.Command, bench.Installation.DataDirectory, Path.Combine(runDir, "backup"), Path.Combine(runDir, "backup-tmp")],
                null, Children, cancellationToken);
            var packaged = JsonSerializer.Deserialize<PackagerRunReport>(backup.Output.Trim().Split('\n')[^1]) ?? throw new InvalidOperationException("no backup report");
            var zipPath = packaged.ZipPath;

            long restoredBytes;
            int restoredEntries;
            using (var zip = BackupZip.Open(zipPath, new RestoreLimits()))
            {
                var files = zip.Entries.Where(e => e.Name != BackupZipWriter.DatabaseEntryName && e.Name != BackupManifest.FileName).ToList();
                restoredBytes = files.Sum(e => e.UncompressedSize);
                restoredEntries = files.Count;
                await zip.ExtractToFileAsync(zip.Database!, Path.Combine(runDir, "backup.db"), cancellationToken);
            }

            // Files: ours (validate + extract with CRC and SHA-256 + syncfs) against unzip -q (+ sync, timed apart).
            await DiskState.SettleAsync(runDir, cancellationToken);
            Console.WriteLine("Timing ours: the restore worker's file extraction (child process) …");
            var oursFiles = RestoreRun.Parse((await ProcessRunner.RunAsync(program, [.. prefix, RestoreRun.FilesCommand, zipPath, Path.Combine(runDir, "ours-files")], null, Children, cancellationToken)).Output);
            DiskState.DeleteIfPresent(Path.Combine(runDir, "ours-files"));
            await DiskState.SettleAsync(runDir, cancellationToken);
            Console.WriteLine("Timing unzip -q …");
            var unzip = await ProcessRunner.RunAsync("unzip", ["-q", zipPath, "-d", Path.Combine(runDir, "unzip")], null, null, cancellationToken);
            var unzipSync = await ProcessRunner.RunAsync("sync", [], null, null, cancellationToken);
            DiskState.DeleteIfPresent(Path.Combine(runDir, "unzip"));

            // The database: into PostgreSQL and into SQLite, ours against the naive load.
            var backupDb = Path.Combine(runDir, "backup.db");
            var database = await TimeDatabaseAsync(backupDb, runDir, FullRounds, cancellationToken);
            var loadAfter = DiskState.LoadAverage();

            var peak = Math.Max(oursFiles.PeakRssKilobytes, database.Max(r => Math.Max(r.OursPostgres.PeakRssKilobytes, r.OursSqlite.PeakRssKilobytes)));
            Console.WriteLine();
            Console.WriteLine($"== Restore: {restoredBytes / 1048576.0:N1} MiB in {restoredEntries:N0} files, database {database[0].OursPostgres.Rows:N0} rows ({bench.Marker.GeneratedRows:N0} generated) ==");
            Console.WriteLine($"ZIP {new FileInfo(zipPath).Length / 1048576.0:N1} MiB on the same disk as the outputs: {options.Directory}");
            Console.WriteLine($"Load average before: {loadBefore}; after the timings: {loadAfter}. Page cache warm (the ZIP was just written and read).");
            Console.WriteLine($"The files were timed once each; the database {FullRounds} rounds, ours beside the naive load in each (medians, rounds below).");
            Console.WriteLine("MB/s = restored file bytes / seconds (1 MB = 10^6 bytes); rows/s = rows loaded / seconds.");
            Console.WriteLine();
            Console.WriteLine($"{"",-56}{"seconds",9}{"rate",18}{"ours/this",12}  target");
            Line("files: ours (validate, extract, CRC+SHA-256, syncfs)", oursFiles.Seconds, $"{DiskState.Mb(restoredBytes / oursFiles.Seconds)} MB/s", null, "");
            var oursExtract = oursFiles.Seconds - oursFiles.FinalSeconds;
            Line("files: ours without its final syncfs", oursExtract, $"{DiskState.Mb(restoredBytes / oursExtract)} MB/s", null, "");
            Line("files: unzip -q (no sync) vs ours without syncfs", unzip.Elapsed.TotalSeconds, $"{DiskState.Mb(restoredBytes / unzip.Elapsed.TotalSeconds)} MB/s", unzip.Elapsed.TotalSeconds / oursExtract,
                Verdict(unzip.Elapsed.TotalSeconds / oursExtract >= 0.8, ">= 0.80"));
            var unzipAll = unzip.Elapsed.TotalSeconds + unzipSync.Elapsed.TotalSeconds;
            Line("files: unzip -q + sync vs ours (like for like)", unzipAll, $"{DiskState.Mb(restoredBytes / unzipAll)} MB/s", unzipAll / oursFiles.Seconds,
                Verdict(unzipAll / oursFiles.Seconds >= 0.8, ">= 0.80"));
            DatabaseLines(database);
            Console.WriteLine($"{"restore worker peak RSS (max VmHWM of the children)",-56}{peak / 1024.0,23:N1} MiB");
            Console.WriteLine($"{"  of it, the file path alone (the part that grows with files)",-56}{oursFiles.PeakRssKilobytes / 1024.0,23:N1} MiB");
            await File.WriteAllTextAsync(Path.Combine(bench.Folder, RestorePeakRssFile), peak.ToString(CultureInfo.InvariantCulture), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(bench.Folder, FilesPeakRssFile), oursFiles.PeakRssKilobytes.ToString(CultureInfo.InvariantCulture), cancellationToken);
            CompareRestorePeakRss(options, RestorePeakRssFile, "peak RSS", peak);
            CompareRestorePeakRss(options, FilesPeakRssFile, "file path's peak RSS", oursFiles.PeakRssKilobytes);
            Console.WriteLine($"{"safety backup (a full backup, timed apart)",-56}{packaged.Seconds,9:N1}{DiskState.Mb(restoredBytes / packaged.Seconds) + " MB/s",18}");
            Console.WriteLine();
            RoundLines(database);
            Console.WriteLine($"Of ours, the commit (the swap; SQLite: the online backup into the live file) took {Median(database, r => r.OursPostgres.FinalSeconds):N2} s into PostgreSQL, " +
                $"{Median(database, r => r.OursSqlite.FinalSeconds):N2} s into SQLite (medians).");
            Console.WriteLine("ours includes the worker's whole work for each half (CRC and SHA-256 of every entry; schema creation, indexes,");
            Console.WriteLine("foreign keys, sequences, the swap); unzip checks CRCs too. The database's schema check is part of validation,");
            Console.WriteLine("before the safety backup, and is timed apart. Ours ends with its files on disk (one syncfs), so");
            Console.WriteLine("unzip + sync is the like-for-like row; unzip alone ends with its data still in the page cache.");
        }
        finally
        {
            DiskState.DeleteIfPresent(runDir);
        }

        return 0;
    }

    /// <summary>
    /// <c>restore --database-only</c>: the database half alone, five rounds, each ours beside the naive load,
    /// from the installation's own <c>bambuddy.db</c> (what a backup of it carries, row for row).
    /// </summary>
    public static async Task<int> RunDatabaseOnlyAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var loadBefore = DiskState.LoadAverage();
        Directory.CreateDirectory(options.Directory);
        var bench = await BenchInstallation.GetOrCreateAsync(options, cancellationToken);
        var runDir = Path.Combine(options.Directory, $"restore-db-run-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(runDir);
            var backupDb = Path.Combine(runDir, "backup.db");
            // The generated installation is at rest (no writer, no WAL): a plain copy is the backup's database.
            File.Copy(bench.Installation.SqlitePath!, backupDb);
            var rounds = await TimeDatabaseAsync(backupDb, runDir, DatabaseOnlyRounds, cancellationToken);
            var loadAfter = DiskState.LoadAverage();
            Console.WriteLine();
            Console.WriteLine($"== Restore, database only: {rounds[0].OursPostgres.Rows:N0} rows, {DatabaseOnlyRounds} rounds (median) ==");
            Console.WriteLine($"Load average before: {loadBefore}; after: {loadAfter}.");
            Console.WriteLine($"{"",-56}{"seconds",9}{"rate",18}{"ours/this",12}  target");
            DatabaseLines(rounds);
            Console.WriteLine($"{"restore worker peak RSS (max VmHWM of the children)",-56}{rounds.Max(r => Math.Max(r.OursPostgres.PeakRssKilobytes, r.OursSqlite.PeakRssKilobytes)) / 1024.0,23:N1} MiB");
            RoundLines(rounds);
        }
        finally
        {
            DiskState.DeleteIfPresent(runDir);
        }

        return 0;
    }

    /// <summary>One round of the database half: ours (a child process) and the naive load, into PostgreSQL and into SQLite.</summary>
    private static async Task<List<DatabaseRound>> TimeDatabaseAsync(string backupDb, string runDir, int count, CancellationToken cancellationToken)
    {
        var (program, prefix) = PackagerRun.SelfCommand();
        Console.WriteLine("Starting PostgreSQL 15 for the database load …");
        await using var postgres = await PostgresServer.StartAsync(cancellationToken);
        var rounds = new List<DatabaseRound>();
        for (var round = 1; round <= count; round++)
        {
            Console.WriteLine($"Timing the database load into PostgreSQL and SQLite, ours and naive{(count > 1 ? $" (round {round} of {count})" : "")} …");
            var oursDatabase = await postgres.CreateDatabaseAsync($"ours{round}", cancellationToken);
            await SettleAsync(postgres, cancellationToken);
            var oursPostgres = RestoreRun.Parse((await ProcessRunner.RunAsync(program,
                [.. prefix, RestoreRun.DatabaseCommand, "postgres", backupDb, oursDatabase, Path.Combine(runDir, $"pg-work{round}")],
                null, Children, cancellationToken)).Output);
            await DropDatabaseAsync(postgres, $"ours{round}", cancellationToken);
            var naiveDatabase = await postgres.CreateDatabaseAsync($"naive{round}", cancellationToken);
            await SettleAsync(postgres, cancellationToken);
            var naivePostgres = RestoreRun.Parse((await ProcessRunner.RunAsync(program,
                [.. prefix, RestoreRun.NaiveDatabaseCommand, "postgres", backupDb, naiveDatabase], null, Children, cancellationToken)).Output);
            await DropDatabaseAsync(postgres, $"naive{round}", cancellationToken);
            var liveSqlite = Path.Combine(runDir, $"live{round}.db");
            var oursSqlite = RestoreRun.Parse((await ProcessRunner.RunAsync(program,
                [.. prefix, RestoreRun.DatabaseCommand, "sqlite", backupDb, liveSqlite, Path.Combine(runDir, $"sqlite-work{round}")],
                null, Children, cancellationToken)).Output);
            var naiveSqlite = RestoreRun.Parse((await ProcessRunner.RunAsync(program,
                [.. prefix, RestoreRun.NaiveDatabaseCommand, "sqlite", backupDb, Path.Combine(runDir, $"naive{round}.db")], null, Children, cancellationToken)).Output);
            rounds.Add(new DatabaseRound(oursPostgres, naivePostgres, oursSqlite, naiveSqlite));
        }

        return rounds;
    }

    /// <summary>
    /// Before each timed load, ours or naive: earlier writes flushed (the file half's gigabytes, the last load), a
    /// checkpoint, and no autovacuum worker running (each loaded database is dropped once timed, so none is left for
    /// autovacuum to analyze during the next load).
    /// </summary>
    private static async Task SettleAsync(PostgresServer postgres, CancellationToken cancellationToken)
    {
        await ProcessRunner.RunAsync("sync", [], null, null, cancellationToken);
        await using var connection = new NpgsqlConnection(postgres.ConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using (var checkpoint = new NpgsqlCommand("CHECKPOINT", connection))
        {
            await checkpoint.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var workers = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'", connection);
        for (var waited = Stopwatch.StartNew(); (long)(await workers.ExecuteScalarAsync(cancellationToken))! > 0 && waited.Elapsed < TimeSpan.FromSeconds(60);)
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task DropDatabaseAsync(PostgresServer postgres, string name, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var drop = new NpgsqlCommand($"DROP DATABASE \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed record DatabaseRound(RestoreRunReport OursPostgres, RestoreRunReport NaivePostgres, RestoreRunReport OursSqlite, RestoreRunReport NaiveSqlite);

    /// <summary>The restore worker's peak RSS of the last run, kept beside its installation (as the local backup keeps its own).</summary>
    private const string RestorePeakRssFile = "last-restore-peak-rss-kb.txt";

    /// <summary>The same for the file path's child alone, which is what grows with a backup's files.</summary>
    private const string FilesPeakRssFile = "last-restore-files-peak-rss-kb.txt";

    private static readonly IReadOnlyDictionary<string, string> Children = new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "0" };

    /// <summary>Rounds of the database half: one costs a naive PostgreSQL load of some 10 s; ours, a second, is what the noise of a shared machine moves most.</summary>
    private const int FullRounds = 3;

    private const int DatabaseOnlyRounds = 5;

    private static double Median(IReadOnlyList<DatabaseRound> rounds, Func<DatabaseRound, double> pick) => rounds.Select(pick).Order().ElementAt(rounds.Count / 2);

    /// <summary>The database half's rows (medians of the rounds): ours and the naive load, into PostgreSQL and into SQLite, and the schema checks.</summary>
    private static void DatabaseLines(IReadOnlyList<DatabaseRound> rounds)
    {
        var rows = rounds[0].OursPostgres.Rows;
        var (oursPg, naivePg) = (Median(rounds, r => r.OursPostgres.Seconds), Median(rounds, r => r.NaivePostgres.Seconds));
        var (oursLite, naiveLite) = (Median(rounds, r => r.OursSqlite.Seconds), Median(rounds, r => r.NaiveSqlite.Seconds));
        var (checkPg, checkLite) = (Median(rounds, r => r.OursPostgres.CheckSeconds), Median(rounds, r => r.OursSqlite.CheckSeconds));
        Line("PostgreSQL: ours (binary COPY, fresh schema, swap)", oursPg, Rate(rows, oursPg), null, "");
        Line("PostgreSQL: naive (1 prepared INSERT/row, 1 tx)", naivePg, Rate(rows, naivePg), naivePg / oursPg, Verdict(naivePg / oursPg >= 10, ">= 10x"));
        Line("SQLite: ours (merge + online backup API)", oursLite, Rate(rows, oursLite), null, "");
        Line("SQLite: naive (1 prepared INSERT/row, 1 tx)", naiveLite, Rate(rows, naiveLite), naiveLite / oursLite, "");
        Console.WriteLine($"{"schema check before ours (validation, timed apart)",-56}{checkPg,9:N2} s PostgreSQL, {checkLite:N2} s SQLite");
    }

    private static void RoundLines(IReadOnlyList<DatabaseRound> rounds)
    {
        foreach (var (round, i) in rounds.Select((r, i) => (r, i)))
        {
            Console.WriteLine($"round {i + 1}: PostgreSQL ours {round.OursPostgres.Seconds:N2} s, naive {round.NaivePostgres.Seconds:N2} s " +
                $"({round.NaivePostgres.Seconds / round.OursPostgres.Seconds:N2}x); SQLite ours {round.OursSqlite.Seconds:N2} s, naive {round.NaiveSqlite.Seconds:N2} s");
        }
    }

    private static string Rate(long rows, double seconds) => $"{(rows / seconds).ToString("N0", CultureInfo.InvariantCulture)} rows/s";

    private static void Line(string name, double seconds, string rate, double? ratio, string target) =>
        Console.WriteLine($"{name,-56}{seconds,9:N2}{rate,18}{(ratio is { } r ? r.ToString("N2", CultureInfo.InvariantCulture) + "x" : ""),12}  {target}");

    /// <summary>
    /// Issue #4's "peak memory flat": a twice-as-large backup (twice the files) must need at most 5% more. Compared with the
    /// last restore run at half or at double this size (same rows) when its installation is still under the bench directory.
    /// </summary>
    private static void CompareRestorePeakRss(BenchOptions options, string fileName, string what, long peakKilobytes)
    {
        var compared = false;
        foreach (var (other, smaller) in new[] { (options.MediaBytes / 2, true), (options.MediaBytes * 2, false) })
        {
            var file = Path.Combine(options.Directory, $"installation-{other}b-{options.Rows}rows-seed1", fileName);
            if (!File.Exists(file) || !long.TryParse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture, out var otherKilobytes))
            {
                continue;
            }

            var (small, large) = smaller ? (otherKilobytes, peakKilobytes) : (peakKilobytes, otherKilobytes);
            var label = $"{what} at {SizeText(Math.Min(other, options.MediaBytes))} → {SizeText(Math.Max(other, options.MediaBytes))} (the other size: its last run)";
            var figures = $"{small / 1024.0:N1} → {large / 1024.0:N1} MiB ({(large - small) * 100.0 / small:+0.0;-0.0}%)";
            // Flat: twice the files may cost a few bytes per entry, never a share of the backup; RSS itself wavers by 1-2%.
            Console.WriteLine($"{label,-56}{figures,27}{"",12}  {Verdict(large <= small * 1.05, "flat (< +5%)")}");
            compared = true;
        }

        if (!compared && fileName == RestorePeakRssFile)
        {
            Console.WriteLine($"Peak RSS must not grow with size: also run `dotnet run -c Release --project bench/Bambuddy.Bench -- restore --size {SizeText(options.MediaBytes * 2)}" +
                $"{(options.Rows == 100_000 ? "" : $" --rows {options.Rows}")}`; each run compares itself with the other size's last run.");
        }
    }

    private static string SizeText(long bytes) => bytes % (1L << 30) == 0 ? $"{bytes >> 30}GB" : $"{bytes >> 20}MB";

    private static string Verdict(bool met, string target) => $"{target,-8} {(met ? "MET" : "NOT MET")}";
}
