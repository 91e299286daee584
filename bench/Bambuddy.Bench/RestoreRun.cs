using System.Diagnostics;
using System.Text.Json;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Installation;
using Bambuddy.Core.Restore;
using Bambuddy.Core.Restore.Database;
using Bambuddy.Core.Restore.Zip;

namespace Bambuddy.Bench;

/// <summary>What one restore child process reports: seconds, bytes or rows, and its peak RSS.</summary>
/// <param name="FinalSeconds">Of <paramref name="Seconds"/>, the last step: the syncfs for files, the commit for a database.</param>
/// <param name="CheckSeconds">A database's schema check, before <paramref name="Seconds"/> and not in it: it is validation (§5.2), done before the safety backup.</param>
public sealed record RestoreRunReport(double Seconds, long Bytes, long Rows, int Entries, long PeakRssKilobytes, double FinalSeconds = 0, double CheckSeconds = 0);

/// <summary>
/// The hidden child commands of the restore benchmark: the restore worker's file path (validate, extract
/// with CRC and SHA-256, one syncfs) and its database path (prepare + commit into PostgreSQL or SQLite),
/// each in a process of its own so its peak RSS is the worker's and not the benchmark's.
/// </summary>
public static class RestoreRun
{
    public const string FilesCommand = "restore-files-run";
    public const string DatabaseCommand = "restore-db-run";
    public const string NaiveDatabaseCommand = "restore-db-naive-run";

    /// <summary><c>restore-files-run &lt;zip&gt; &lt;staging&gt;</c>.</summary>
    public static async Task<int> RunFilesAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Count != 2)
        {
            throw new ArgumentException($"{FilesCommand} <zip> <staging dir>");
        }

        var started = Stopwatch.StartNew();
        using var zip = BackupZip.Open(args[0], new RestoreLimits());
        Directory.CreateDirectory(args[1]);
        var result = await zip.ExtractAllAsync(args[1],
            e => e.Name != BackupZipWriter.DatabaseEntryName && e.Name != BackupManifest.FileName, null, cancellationToken);
        var extracted = started.Elapsed.TotalSeconds;
        FileSystemSync.SyncFileSystem(args[1]);
        var seconds = started.Elapsed.TotalSeconds;
        Report(new RestoreRunReport(seconds, result.Bytes, 0, result.Entries, PackagerRun.ReadStatusKilobytes("VmHWM"), seconds - extracted));
        return 0;
    }

    /// <summary><c>restore-db-run postgres|sqlite &lt;backup.db&gt; &lt;connection string or live file&gt; &lt;work dir&gt;</c>.</summary>
    public static async Task<int> RunDatabaseAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Count != 4 || args[0] is not ("postgres" or "sqlite"))
        {
            throw new ArgumentException($"{DatabaseCommand} postgres|sqlite <backup.db> <connection string | live file> <work dir>");
        }

        var installation = args[0] == "postgres"
            ? new BambuddyInstallation(args[3], DatabaseBackend.PostgreSql, args[2])
            : new BambuddyInstallation(args[3], DatabaseBackend.Sqlite, args[2]);
        var target = RestoreTargets.For(installation);
        var jobId = Guid.CreateVersion7();
        var rows = new LastRows();
        Directory.CreateDirectory(args[3]);
        var checking = Stopwatch.StartNew();
        var check = await target.CheckSchemaAsync(args[1], cancellationToken);
        if (check.Refusals.Count > 0 || check.Lost.Count > 0)
        {
            throw new InvalidOperationException($"schema check: {string.Join(", ", check.Refusals.Concat(check.Lost))}");
        }

        var checkSeconds = checking.Elapsed.TotalSeconds;
        var started = Stopwatch.StartNew();
        await target.PrepareAsync(jobId, args[1], args[3], rows, cancellationToken);
        var prepared = started.Elapsed.TotalSeconds;
        await target.CommitAsync(jobId, args[3], force: true, cancellationToken);
        var seconds = started.Elapsed.TotalSeconds;
        await target.DiscardAsync(jobId, args[3], cancellationToken);
        Report(new RestoreRunReport(seconds, 0, rows.Rows, 0, PackagerRun.ReadStatusKilobytes("VmHWM"), seconds - prepared, checkSeconds));
        return 0;
    }

    /// <summary>
    /// <c>restore-db-naive-run postgres|sqlite &lt;backup.db&gt; &lt;connection string | new file&gt;</c>: the naive load, in a
    /// process of its own as ours is, after the same warm-up (ours checks the schema before its clock starts: one
    /// connection opened and queried).
    /// </summary>
    public static async Task<int> RunNaiveDatabaseAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Count != 3 || args[0] is not ("postgres" or "sqlite"))
        {
            throw new ArgumentException($"{NaiveDatabaseCommand} postgres|sqlite <backup.db> <connection string | new file>");
        }

        if (args[0] == "postgres")
        {
            await using var connection = new Npgsql.NpgsqlConnection(args[2]);
            await connection.OpenAsync(cancellationToken);
            await using var query = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_class", connection);
            await query.ExecuteScalarAsync(cancellationToken);
        }

        var started = Stopwatch.StartNew();
        var rows = args[0] == "postgres"
            ? await NaiveRestore.IntoPostgresAsync(args[1], args[2], cancellationToken)
            : await NaiveRestore.IntoSqliteAsync(args[1], args[2], cancellationToken);
        Report(new RestoreRunReport(started.Elapsed.TotalSeconds, 0, rows, 0, PackagerRun.ReadStatusKilobytes("VmHWM")));
        return 0;
    }

    public static RestoreRunReport Parse(string output) =>
        JsonSerializer.Deserialize<RestoreRunReport>(output.Trim().Split('\n')[^1]) ?? throw new InvalidOperationException("The restore child printed no report.");

    private static void Report(RestoreRunReport report) => Console.WriteLine(JsonSerializer.Serialize(report));

    private sealed class LastRows : IProgress<DatabaseRestoreProgress>
    {
        public long Rows { get; private set; }

        public void Report(DatabaseRestoreProgress value) => Rows = Math.Max(Rows, value.RowsDone);
    }
}
