using System.Security.Cryptography;
using Bambuddy.Core.Archive;
using Bambuddy.DemoData;
using Bambuddy.Testing;

namespace Bambuddy.Archive.Tests;

public sealed class DemoInstallationBackupTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task ARealisticSqliteInstallationRoundTrips()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var dir = new TempDirectory();
        var demo = await new DemoInstallationGenerator(new DemoInstallationOptions(dir.Combine("data")) { MediaBytes = 12L << 20 }).GenerateAsync(cts.Token);

        var result = await new LocalBackupWriter().WriteAsync(demo.Installation, dir.Combine("out"), dir.Combine("tmp"), TimeZoneInfo.Utc, null, cts.Token);

        await AssertHoldsEveryDataFileAsync(demo.Installation.DataDirectory, result, cts.Token);
        foreach (var (table, rows) in demo.RowsByTable)
        {
            Assert.Equal(rows, result.TableRowCounts[table]);
        }
    }

    [Fact]
    public async Task ARealisticPostgresInstallationRoundTrips()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var dir = new TempDirectory();
        var connectionString = await postgres.CreateDatabaseAsync("archive_demo", cts.Token);
        var demo = await new DemoInstallationGenerator(new DemoInstallationOptions(dir.Combine("data")) { DatabaseUrl = connectionString, MediaBytes = 12L << 20 }).GenerateAsync(cts.Token);

        var result = await new LocalBackupWriter().WriteAsync(demo.Installation, dir.Combine("out"), dir.Combine("tmp"), TimeZoneInfo.Utc, null, cts.Token);

        await AssertHoldsEveryDataFileAsync(demo.Installation.DataDirectory, result, cts.Token);
        foreach (var (table, rows) in demo.RowsByTable)
        {
            Assert.Equal(rows, result.TableRowCounts[table]);
        }

        Assert.Empty(result.Warnings);
    }

    private static async Task AssertHoldsEveryDataFileAsync(string dataDirectory, LocalBackupResult result, CancellationToken cancellationToken)
    {
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var folder in BackupEntryPlanner.DataFolders)
        {
            var root = Path.Combine(dataDirectory, folder);
            if (!Directory.Exists(root))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                await using var stream = File.OpenRead(file);
                expected[Path.GetRelativePath(dataDirectory, file).Replace('\\', '/')] = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
            }
        }

        Assert.NotEmpty(expected);
        var entries = (await ZipInspection.ReadEntriesAsync(result.FullPath, cancellationToken)).ToDictionary(e => e.Name, e => e.Sha256);
        foreach (var (name, sha256) in expected)
        {
            Assert.True(entries.TryGetValue(name, out var actual), $"{name} is not in the backup");
            Assert.Equal(sha256, actual);
        }

        var manifest = await ZipInspection.ReadManifestAsync(result.FullPath, cancellationToken);
        Assert.All(manifest.Entries, e => Assert.Equal(entries[e.Path], e.Sha256));
        var (exit, output) = await ZipInspection.UnzipTestAsync(result.FullPath, cancellationToken);
        Assert.True(exit == 0, output);
    }
}
