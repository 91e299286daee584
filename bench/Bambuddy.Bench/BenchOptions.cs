using System.Globalization;
using Bambuddy.DemoData;

namespace Bambuddy.Bench;

/// <summary>The local-backup benchmark's arguments.</summary>
public sealed record BenchOptions(long MediaBytes, int Rows, string Directory)
{
    public const string DefaultDirectory = "/var/tmp/bambuddy-bench";

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var size = 2L << 30;
        var rows = 100_000;
        var directory = DefaultDirectory;
        for (var i = 0; i < args.Count; i++)
        {
            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"'{args[i]}' needs a value.");
            }

            switch (args[i])
            {
                case "--size":
                    size = DemoInstallationOptions.ParseSize(args[++i]);
                    break;
                case "--rows":
                    rows = int.Parse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "--dir":
                    directory = Path.GetFullPath(args[++i]);
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }

        if (size < 1 << 20 || rows < 100)
        {
            throw new ArgumentException("--size must be at least 1MB and --rows at least 100.");
        }

        return new BenchOptions(size, rows, directory);
    }
}
