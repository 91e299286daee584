using System.Diagnostics;
using Bambuddy.Core.Archive;
using Bambuddy.DemoData;
using Bambuddy.Testing;
using Npgsql;

namespace Bambuddy.Bench;

/// <summary>
/// PostgreSQL → SQLite: <see cref="SqliteExporter"/> beside naive row-by-row copies of the same tables and
/// rows, against a real PostgreSQL 15 started for the run and stopped by its own process id.
/// </summary>
public static class PostgresExportBench
{
    private const int Rounds = 2;

    public static async Task RunAsync(int rows, string runDir, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"Starting PostgreSQL 15 and generating about {rows:N0} rows into it …");
        await using var server = await PostgresServer.StartAsync(cancellationToken);
        var connectionString = await server.CreateDatabaseAsync("bench", cancellationToken);
        var folder = Path.Combine(runDir, "postgres");
        var generated = await new DemoInstallationGenerator(new DemoInstallationOptions(Path.Combine(folder, "data"))
        {
            DatabaseUrl = connectionString,
            MediaBytes = 1L << 20,
            Rows = rows,
            Seed = 1,
        }).GenerateAsync(cancellationToken);

        // Autovacuum after the bulk load would otherwise land in whichever copy runs first.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE", connection);
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }

        var loadBefore = DiskState.LoadAverage();
        var ours = new Best();
        var bare = new Best();
        var schema = new Best();
        for (var round = 0; round < Rounds; round++)
        {
            await ours.TimeAsync(folder, "ours.db",
                async path => (await SqliteExporter.ExportPostgresAsync(connectionString, path, null, cancellationToken)).TableRowCounts, cancellationToken);
            await bare.TimeAsync(folder, "naive-bare.db",
                path => NaiveSqliteCopy.CopyAsync(connectionString, path, bambuddySchema: false, cancellationToken), cancellationToken);
            await schema.TimeAsync(folder, "naive-schema.db",
                path => NaiveSqliteCopy.CopyAsync(connectionString, path, bambuddySchema: true, cancellationToken), cancellationToken);
        }

        var loadAfter = DiskState.LoadAverage();
        Console.WriteLine();
        Console.WriteLine($"== PostgreSQL → SQLite export: {ours.Rows:N0} rows in {ours.Tables} tables (generated {generated.Rows:N0}) ==");
        Console.WriteLine($"Load average before: {loadBefore}; after: {loadAfter}.");
        Console.WriteLine($"Best of {Rounds} rounds each, interleaved; PostgreSQL warm (just written, then VACUUM ANALYZE).");
        Console.WriteLine();
        Console.WriteLine($"{"",-54}{"seconds",9}{"rows/s",12}{"ours/this",12}");
        Line("ours (SqliteExporter: binary COPY, Bambuddy schema)", ours, null);
        Line("naive, Bambuddy schema (SELECT *, 1 INSERT/row, 1 tx)", schema, ours);
        Line("naive, bare tables (no index/constraint/trigger)", bare, ours);
        Console.WriteLine();
        Console.WriteLine("ours and the schema baseline write the same Bambuddy SQLite schema (indexes, FTS); the bare baseline does less work");
        Console.WriteLine($"than either. SQLite files: ours {ours.FileBytes / 1048576.0:N1} MiB, schema baseline {schema.FileBytes / 1048576.0:N1} MiB, bare {bare.FileBytes / 1048576.0:N1} MiB.");
        if (ours.Rows != bare.Rows || ours.Rows != schema.Rows)
        {
            Console.WriteLine($"WARNING: the copies hold different row counts (ours {ours.Rows:N0}, schema {schema.Rows:N0}, bare {bare.Rows:N0}).");
        }

        DiskState.DeleteIfPresent(folder);
    }

    private static void Line(string name, Best best, Best? ours)
    {
        var ratio = ours is null ? "" : (best.Seconds / ours.Seconds).ToString("N2", System.Globalization.CultureInfo.InvariantCulture) + "x";
        Console.WriteLine($"{name,-54}{best.Seconds,9:N2}{best.Rows / best.Seconds,12:N0}{ratio,12}");
    }

    /// <summary>The fastest of several timed copies into a fresh SQLite file, which is deleted after each.</summary>
    private sealed class Best
    {
        public double Seconds { get; private set; } = double.MaxValue;

        public long Rows { get; private set; }

        public int Tables { get; private set; }

        public long FileBytes { get; private set; }

        public async Task TimeAsync(
            string folder, string fileName, Func<string, Task<IReadOnlyDictionary<string, long>>> copy, CancellationToken cancellationToken)
        {
            var path = Path.Combine(folder, fileName);
            DiskState.DeleteIfPresent(path);
            var started = Stopwatch.StartNew();
            var counts = await copy(path);
            var seconds = started.Elapsed.TotalSeconds;
            cancellationToken.ThrowIfCancellationRequested();
            Seconds = Math.Min(Seconds, seconds);
            Rows = counts.Values.Sum();
            Tables = counts.Count;
            FileBytes = new FileInfo(path).Length;
            DiskState.DeleteIfPresent(path);
        }
    }
}
