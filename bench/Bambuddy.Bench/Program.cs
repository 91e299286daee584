using Bambuddy.Bench;

// bambuddy-bench local-backup|restore [--database-only] [--size 2GB] [--rows 100000] [--dir /var/tmp/bambuddy-bench]
// bambuddy-bench git-backup [--dir /var/tmp/bambuddy-bench]
// (packager-run, restore-files-run, restore-db-run and restore-db-naive-run are the hidden children the benchmarks start.)
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    return args switch
    {
        ["local-backup", .. var rest] => await LocalBackupBench.RunAsync(BenchOptions.Parse(rest), cancel.Token),
        ["restore", "--database-only", .. var rest] => await RestoreBench.RunDatabaseOnlyAsync(BenchOptions.Parse(rest), cancel.Token),
        ["restore", .. var rest] => await RestoreBench.RunAsync(BenchOptions.Parse(rest), cancel.Token),
        ["git-backup", .. var rest] => await GitBackupBench.RunAsync(rest, cancel.Token),
        [PackagerRun.Command, .. var rest] => await PackagerRun.RunAsync(rest, cancel.Token),
        [RestoreRun.FilesCommand, .. var rest] => await RestoreRun.RunFilesAsync(rest, cancel.Token),
        [RestoreRun.DatabaseCommand, .. var rest] => await RestoreRun.RunDatabaseAsync(rest, cancel.Token),
        [RestoreRun.NaiveDatabaseCommand, .. var rest] => await RestoreRun.RunNaiveDatabaseAsync(rest, cancel.Token),
        _ => Usage(),
    };
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"bambuddy-bench: {ex.Message}");
    return Usage();
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("bambuddy-bench: cancelled; temp outputs were removed.");
    return 130;
}

static int Usage()
{
    Console.Error.WriteLine("usage: bambuddy-bench local-backup|restore [--database-only] [--size 2GB] [--rows 100000] [--dir /var/tmp/bambuddy-bench]");
    Console.Error.WriteLine("       bambuddy-bench git-backup [--dir /var/tmp/bambuddy-bench]");
    return 2;
}
