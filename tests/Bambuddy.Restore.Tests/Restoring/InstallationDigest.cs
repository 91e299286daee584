using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Bambuddy;
using Bambuddy.Core.Installation;

namespace Bambuddy.Restore.Tests.Restoring;

/// <summary>
/// Every table's rows and every data file's SHA-256 of an installation, normalised across backends
/// (booleans, datetimes with or without fraction or offset, numbers), so two installations compare equal
/// exactly when a restore carried everything over.
/// </summary>
public sealed partial record InstallationDigest(IReadOnlyDictionary<string, string> Tables, IReadOnlyDictionary<string, string> Files)
{
    public static async Task<InstallationDigest> ReadAsync(BambuddyInstallation installation, CancellationToken cancellationToken)
    {
        var tables = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using (var database = await BambuddyDatabase.OpenAsync(installation, cancellationToken))
        {
            foreach (var table in await database.ListTablesAsync(cancellationToken))
            {
                if (table.StartsWith("archive_fts", StringComparison.Ordinal))
                {
                    continue;
                }

                var columns = (await database.ListColumnsAsync(table, cancellationToken)).Order(StringComparer.Ordinal).ToList();
                var rows = new List<string>();
                await foreach (var row in database.ReadRowsAsync(table, columns, cancellationToken))
                {
                    rows.Add(string.Join("|", row.Select(pair => $"{pair.Key}={Normalize(pair.Value)}")));
                }

                rows.Sort(StringComparer.Ordinal);
                tables[table] = $"{rows.Count}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", rows))))}";
            }
        }

        return new InstallationDigest(tables, await ReadFilesAsync(installation.DataDirectory, cancellationToken));
    }

    public static async Task<IReadOnlyDictionary<string, string>> ReadFilesAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var folder in BackupEntryPlanner.DataFolders.Select(f => Path.Combine(dataDirectory, f)).Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                files[Path.GetRelativePath(dataDirectory, file).Replace('\\', '/')] = await HashAsync(file, cancellationToken);
            }
        }

        var key = Path.Combine(dataDirectory, BackupEntryPlanner.MfaKeyFileName);
        if (File.Exists(key))
        {
            files[BackupEntryPlanner.MfaKeyFileName] = await HashAsync(key, cancellationToken);
        }

        return files;
    }

    public void AssertSameAs(InstallationDigest expected)
    {
        Assert.Equal(expected.Tables.Keys, Tables.Keys);
        var differing = expected.Tables.Where(t => t.Value != Tables[t.Key]).Select(t => $"{t.Key} ({t.Value} → {Tables[t.Key]})").ToList();
        Assert.True(differing.Count == 0, "tables differ: " + string.Join(", ", differing));
        AssertSameFiles(expected.Files, Files);
    }

    public static void AssertSameFiles(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual)
    {
        Assert.Equal(expected.Keys, actual.Keys);
        var differing = expected.Where(f => f.Value != actual[f.Key]).Select(f => f.Key).ToList();
        Assert.True(differing.Count == 0, "files differ: " + string.Join(", ", differing));
    }

    private static string Normalize(object? value) => value switch
    {
        null => "null",
        bool b => b ? "1" : "0",
        long or int or short => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("R", CultureInfo.InvariantCulture),
        decimal m => ((double)m).ToString("R", CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToHexStringLower(bytes),
        string s when DateTimeText().Match(s) is { Success: true } match => NormalizeDateTime(match),
        string s => s,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static string NormalizeDateTime(Match match)
    {
        var fraction = match.Groups["fraction"].Success ? match.Groups["fraction"].Value.PadRight(6, '0') : "000000";
        return $"{match.Groups["date"].Value} {match.Groups["time"].Value}.{fraction}";
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    [GeneratedRegex(@"^(?<date>\d{4}-\d{2}-\d{2})[ T](?<time>\d{2}:\d{2}:\d{2})(?:\.(?<fraction>\d{1,6}))?(?:\+00:00|Z)?$")]
    private static partial Regex DateTimeText();
}
