using Bambuddy.DemoData;

// bambuddy-demo-data --data-dir /abs/path [--database-url URL] [--size 5MB] [--rows N] [--seed N] [--if-empty]
try
{
    var options = ParseArguments(args);
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancel.Cancel();
    };

    var started = System.Diagnostics.Stopwatch.StartNew();
    var result = await new DemoInstallationGenerator(options).GenerateAsync(cancel.Token);
    Console.WriteLine(result.Skipped
        ? $"Left as it is: {result.Installation.Describe()} already has printers."
        : $"Generated {result.Installation.Describe()}: {result.Rows:N0} rows, {result.Files:N0} files, {result.MediaBytes / 1048576.0:N1} MiB in {started.Elapsed.TotalSeconds:N1} s.");
    return 0;
}
catch (Exception ex) when (ex is ArgumentException or FormatException or Bambuddy.Core.Installation.InstallationConfigurationException)
{
    Console.Error.WriteLine($"bambuddy-demo-data: {ex.Message}");
    Console.Error.WriteLine("usage: --data-dir <abs path> [--database-url <url>] [--size 5MB] [--rows <n>] [--seed <int>] [--if-empty]");
    return 2;
}

static DemoInstallationOptions ParseArguments(string[] args)
{
    var values = new Dictionary<string, string>(StringComparer.Ordinal);
    var ifEmpty = false;
    for (var i = 0; i < args.Length; i++)
    {
        if (args[i] == "--if-empty")
        {
            ifEmpty = true;
        }
        else if (args[i] is "--data-dir" or "--database-url" or "--size" or "--rows" or "--seed" && i + 1 < args.Length)
        {
            values[args[i]] = args[++i];
        }
        else
        {
            throw new ArgumentException($"Unknown or incomplete argument '{args[i]}'.");
        }
    }

    if (!values.TryGetValue("--data-dir", out var dataDir))
    {
        throw new ArgumentException("--data-dir is required.");
    }

    return new DemoInstallationOptions(dataDir)
    {
        DatabaseUrl = values.GetValueOrDefault("--database-url"),
        MediaBytes = values.TryGetValue("--size", out var size) ? DemoInstallationOptions.ParseSize(size) : 5L << 20,
        Rows = values.TryGetValue("--rows", out var rows) ? int.Parse(rows, System.Globalization.CultureInfo.InvariantCulture) : null,
        Seed = values.TryGetValue("--seed", out var seed) ? long.Parse(seed, System.Globalization.CultureInfo.InvariantCulture) : 1,
        IfEmpty = ifEmpty,
    };
}
