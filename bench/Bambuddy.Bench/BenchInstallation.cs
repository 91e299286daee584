using System.Diagnostics;
using System.Text.Json;
using Bambuddy.Core.Installation;
using Bambuddy.DemoData;

namespace Bambuddy.Bench;

/// <summary>
/// The generated installation the local-backup benchmark reads: one folder per (size, rows, seed) under the
/// bench directory, reused while its marker says it was generated to the end with the same parameters.
/// </summary>
public sealed record BenchInstallation(string Folder, BambuddyInstallation Installation, BenchInstallationMarker Marker)
{
    private const string MarkerFile = "bench-installation.json";
    private const long Seed = 1;

    public static async Task<BenchInstallation> GetOrCreateAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(options.Directory, $"installation-{options.MediaBytes}b-{options.Rows}rows-seed{Seed}");
        var dataDir = Path.Combine(folder, "data");
        var markerPath = Path.Combine(folder, MarkerFile);
        var wanted = new BenchInstallationMarker(options.MediaBytes, options.Rows, Seed, 0, 0, 0, 0);
        var installation = new BambuddyInstallation(dataDir, DatabaseBackend.Sqlite, Path.Combine(dataDir, "bambuddy.db"));

        if (File.Exists(markerPath)
            && JsonSerializer.Deserialize<BenchInstallationMarker>(await File.ReadAllTextAsync(markerPath, cancellationToken)) is { } found
            && found.SameParameters(wanted) && Directory.Exists(dataDir))
        {
            Console.WriteLine($"Reusing the installation in {folder} (generated earlier with the same parameters).");
            return new BenchInstallation(folder, installation, found);
        }

        // A folder without a marker is an interrupted generation: it is started again from nothing.
        // The generator's sizes are approximate: ask again for proportionally more until both minimums are met.
        var request = options.MediaBytes;
        var rows = options.Rows;
        for (var attempt = 1; ; attempt++)
        {
            DiskState.DeleteIfPresent(folder);
            Directory.CreateDirectory(folder);
            Console.WriteLine($"Generating an installation of about {request / 1048576.0:N0} MiB media and {rows:N0} rows in {folder} …");
            var started = Stopwatch.StartNew();
            var result = await new DemoInstallationGenerator(new DemoInstallationOptions(dataDir)
            {
                MediaBytes = request,
                Rows = rows,
                Seed = Seed,
            }).GenerateAsync(cancellationToken);
            Console.WriteLine($"Generated {result.Rows:N0} rows, {result.Files:N0} files, {result.MediaBytes / 1048576.0:N1} MiB in {started.Elapsed.TotalSeconds:N1} s.");
            if ((result.MediaBytes >= options.MediaBytes && result.Rows >= options.Rows) || attempt == 4)
            {
                var marker = wanted with
                {
                    GeneratedRows = result.Rows,
                    GeneratedFiles = result.Files,
                    GeneratedMediaBytes = result.MediaBytes,
                    GenerationSeconds = started.Elapsed.TotalSeconds,
                };
                await File.WriteAllTextAsync(markerPath, JsonSerializer.Serialize(marker), cancellationToken);
                return new BenchInstallation(folder, installation, marker);
            }

            request = (long)(request * Math.Max(1.0, (double)options.MediaBytes / Math.Max(1, result.MediaBytes)) * 1.01);
            rows = (int)(rows * Math.Max(1.0, (double)options.Rows / Math.Max(1, result.Rows)) * 1.01);
        }
    }
}
