using System.Diagnostics;
using System.Globalization;
using Bambuddy.Contracts;
using Bambuddy.Core.Bambuddy;
using Bambuddy.Core.Jobs;
using Bambuddy.DemoData;
using Bambuddy.GitSync.Consumers;
using Bambuddy.GitSync.Export;
using Bambuddy.GitSync.Model;
using Bambuddy.GitSync.Repository;
using Bambuddy.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bambuddy.Bench;

/// <summary>
/// The git backup's cost at a realistic size: a Bambuddy SQLite database with 10,000 print archives and 500 spools,
/// exported (settings, spools, archives; K-profiles and cloud off) and pushed to a real smart-HTTP git server
/// (<see cref="GitHttpServer"/>: git http-backend behind Kestrel on loopback). Times the first backup (export,
/// commit, push of every file), an unchanged one (skipped; median of 3), and one after a single spool changed.
/// </summary>
public static class GitBackupBench
{
    public const int Archives = 10_000;
    public const int Spools = 500;
    private const string Token = "bench-token";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var root = args is ["--dir", var dir] ? Path.GetFullPath(dir) : BenchOptions.DefaultDirectory;
        Directory.CreateDirectory(root);
        var work = Directory.CreateDirectory(Path.Combine(root, $"git-backup-{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;
        try
        {
            return await RunInAsync(work, cancellationToken);
        }
        finally
        {
            foreach (var file in Directory.EnumerateFiles(work, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<int> RunInAsync(string work, CancellationToken cancellationToken)
    {
        Console.WriteLine($"load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"git backup benchmark: {Archives:N0} print archives, {Spools} spools (K-profiles and cloud profiles off)");
        var data = Path.Combine(work, "data");
        var clock = Stopwatch.StartNew();
        var demo = await new DemoInstallationGenerator(new DemoInstallationOptions(data) { MediaBytes = 1L << 20, Rows = 2_000, Seed = 1 }).GenerateAsync(cancellationToken);
        await GrowAsync(demo.Installation.SqlitePath!, cancellationToken);
        Console.WriteLine($"installation generated in {clock.Elapsed.TotalSeconds:F1} s: {demo.Installation.SqlitePath}");

        await using var server = await GitHttpServer.StartAsync(Token, cancellationToken);
        var url = await server.CreateBareRepositoryAsync("bench", cancellationToken);
        var sync = new GitRepositorySync(new WorkerPaths(Path.Combine(work, "state")), Options.Create(new GitSyncOptions()), TimeProvider.System,
            NullLogger<GitRepositorySync>.Instance);
        var sources = new NoSources();
        var runner = new GitBackupRunner(demo.Installation, sources, sources, sources, sync, TimeProvider.System, NullLogger<GitBackupRunner>.Instance);
        var target = new GitRepositoryTarget("gitea", url, "main", true, "unused");
        var contents = new GitBackupContents(KProfiles: false, CloudProfiles: false, Settings: true, Spools: true, Archives: true);

        async Task<(double Seconds, GitBackupCompleted Result, string Phases)> TimedAsync()
        {
            var phases = new PhaseClock();
            var result = await runner.RunAsync(Guid.NewGuid(), target, contents, Token, phases, cancellationToken);
            return (phases.Stop(), result, phases.ToString());
        }

        // A worker runs for days: warm up (JIT, LibGit2Sharp's native library) on another repository first.
        var warmupUrl = await server.CreateBareRepositoryAsync("warmup", cancellationToken);
        clock.Restart();
        Expect(await runner.RunAsync(Guid.NewGuid(), target with { RepositoryUrl = warmupUrl }, contents, Token, new Progress<string>(), cancellationToken), "success");
        var coldSeconds = clock.Elapsed.TotalSeconds;

        var first = await TimedAsync();
        Expect(first.Result, "success");
        var skipped = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var run = await TimedAsync();
            Expect(run.Result, "skipped");
            skipped.Add(run.Seconds);
        }

        await ExecuteAsync(demo.Installation.SqlitePath!, "UPDATE spool SET weight_used = weight_used + 1 WHERE id = 1", cancellationToken);
        var incremental = await TimedAsync();
        Expect(incremental.Result, "success");

        // The export alone (warm), for the breakdown: a run reads the same rows.
        clock.Restart();
        SortedDictionary<string, byte[]> tree;
        await using (var database = await BambuddyDatabase.OpenAsync(demo.Installation, cancellationToken))
        {
            tree = await GitExport.BuildAsync(database, contents, [], [], cancellationToken);
        }

        var exportSeconds = clock.Elapsed.TotalSeconds;
        var exportBytes = tree.Values.Sum(b => (long)b.Length);
        var baseline = await GitCliBaselineAsync(server, work, tree, cancellationToken);

        skipped.Sort();
        Console.WriteLine();
        Console.WriteLine($"{"",-58}{"seconds",10}");
        Console.WriteLine($"{"cold first backup (JIT, native load; another repository)",-58}{coldSeconds,10:F3}");
        Console.WriteLine($"{"export only, warm (" + tree.Count + " files, " + (exportBytes / 1e6).ToString("F1", CultureInfo.InvariantCulture) + " MB of JSON)",-58}{exportSeconds,10:F3}");
        Console.WriteLine($"{"first backup: export + commit + push (" + first.Result.FilesChanged + " files)",-58}{first.Seconds,10:F3}");
        Console.WriteLine($"{"unchanged data: skipped (median of 3)",-58}{skipped[1],10:F3}   (runs: {string.Join(", ", skipped.Select(s => s.ToString("F3", CultureInfo.InvariantCulture)))})");
        Console.WriteLine($"{"one spool changed: commit + push (" + incremental.Result.FilesChanged + " file)",-58}{incremental.Seconds,10:F3}");
        Console.WriteLine($"{"baseline, git CLI: clone + write + add + commit + push",-58}{baseline,10:F3}   (same files, empty repository; ours/this {baseline / first.Seconds:F2}x)");
        Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"git http-backend requests served: {server.Requests}");
        Console.WriteLine($"first backup by phase: {first.Phases}");
        Console.WriteLine($"one-spool backup by phase: {incremental.Phases}");
        return 0;
    }

    /// <summary>What a script would do for the first backup: the git command line on the same files, into an empty repository.</summary>
    private static async Task<double> GitCliBaselineAsync(GitHttpServer server, string work, SortedDictionary<string, byte[]> tree, CancellationToken cancellationToken)
    {
        var url = await server.CreateBareRepositoryAsync("baseline", cancellationToken);
        var auth = "http.extraHeader=Authorization: Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("bench:" + Token));
        var clone = Path.Combine(work, "baseline-clone");
        var started = Stopwatch.StartNew();
        await GitHttpServer.RunGitAsync(work, cancellationToken, "-c", auth, "clone", "--quiet", url, clone);
        foreach (var (path, bytes) in tree)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(clone, path))!);
            await File.WriteAllBytesAsync(Path.Combine(clone, path), bytes, cancellationToken);
        }

        await GitHttpServer.RunGitAsync(clone, cancellationToken, "add", "-A");
        await GitHttpServer.RunGitAsync(clone, cancellationToken, "-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit", "--quiet", "-m", "baseline");
        await GitHttpServer.RunGitAsync(clone, cancellationToken, "-c", auth, "push", "--quiet", "origin", "HEAD:refs/heads/main");
        return started.Elapsed.TotalSeconds;
    }

    private static void Expect(GitBackupCompleted result, string status)
    {
        if (result.Status != status)
        {
            throw new InvalidOperationException($"Expected a {status} backup, got {result.Status} at {result.Step}: {result.Message}");
        }
    }

    /// <summary>Copies the demo's first archive and spool rows (with new ids and numbered names) up to the benchmark's counts.</summary>
    private static async Task GrowAsync(string sqlitePath, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlitePath, Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        foreach (var (table, count, nameColumn) in new[] { ("print_archives", Archives, "print_name"), ("spool", Spools, "color_name") })
        {
            var columns = new List<string>();
            await using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = $"SELECT name FROM pragma_table_info('{table}') WHERE name <> 'id' ORDER BY cid";
                await using var reader = await pragma.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    columns.Add(reader.GetString(0));
                }
            }

            var values = columns.Select(c => c == nameColumn ? $"t.\"{c}\" || ' #' || n.i" : $"t.\"{c}\"");
            await using var insert = connection.CreateCommand();
            insert.CommandText = $"""
                WITH RECURSIVE n(i) AS (SELECT (SELECT MAX(id) FROM {table}) + 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
                INSERT INTO {table} (id, {string.Join(", ", columns.Select(c => $"\"{c}\""))})
                SELECT n.i, {string.Join(", ", values)} FROM n, (SELECT * FROM {table} ORDER BY id LIMIT 1) AS t WHERE n.i <= {count}
                """;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task ExecuteAsync(string sqlitePath, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlitePath, Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Seconds spent in each phase the backup reports (its progress texts), in order.</summary>
    private sealed class PhaseClock : IProgress<string>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<(string Phase, double Start)> _phases = [];

        public void Report(string value) => _phases.Add((value.TrimEnd('…', '.'), _clock.Elapsed.TotalSeconds));

        public double Stop()
        {
            _phases.Add(("end", _clock.Elapsed.TotalSeconds));
            return _clock.Elapsed.TotalSeconds;
        }

        public override string ToString() => string.Join(", ", _phases.Zip(_phases.Skip(1))
            .Select(p => $"{p.First.Phase} {p.Second.Start - p.First.Start:F3}"));
    }

    /// <summary>K-profiles and cloud profiles are off in this benchmark, and the repository is taken as private.</summary>
    private sealed class NoSources : IKProfileSource, ICloudProfileSource, IGitHosting
    {
        public Task<KProfileReadResult> ReadAsync(IReadOnlyList<BambuddyPrinter> printers, CancellationToken cancellationToken) =>
            Task.FromResult(new KProfileReadResult([], []));

        public Task<CloudProfileReadResult> ReadAsync(string? cloudToken, CancellationToken cancellationToken) =>
            Task.FromResult(new CloudProfileReadResult([], []));

        public GitRemote ResolveRemote(string provider, string repositoryUrl, bool allowInsecureHttp) => new(repositoryUrl, "bench");

        public Task<GitConnectionReport> TestAsync(string provider, string repositoryUrl, string branch, bool allowInsecureHttp, string token, CancellationToken cancellationToken) =>
            Task.FromResult(new GitConnectionReport(true, "ok", null, null, true, null));

        public Task<bool?> IsPrivateAsync(string provider, string repositoryUrl, bool allowInsecureHttp, string token, CancellationToken cancellationToken) =>
            Task.FromResult<bool?>(true);
    }
}
