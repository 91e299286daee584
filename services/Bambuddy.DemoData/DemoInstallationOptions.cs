using System.Globalization;
using Bambuddy.Core.Installation;

namespace Bambuddy.DemoData;

/// <summary>What to generate: where, into which database, how big, from which seed.</summary>
public sealed record DemoInstallationOptions(string DataDirectory)
{
    /// <summary>Bambuddy's <c>DATABASE_URL</c> forms or an Npgsql connection string; null: SQLite at DATA_DIR/bambuddy.db.</summary>
    public string? DatabaseUrl { get; init; }

    /// <summary>Total bytes of media files to write (approximately).</summary>
    public long MediaBytes { get; init; } = 5L << 20;

    /// <summary>Approximate number of database rows; null: scaled from <see cref="MediaBytes"/>.</summary>
    public int? Rows { get; init; }

    public long Seed { get; init; } = 1;

    /// <summary>Do nothing when the database already has printers.</summary>
    public bool IfEmpty { get; init; }

    public BambuddyInstallation ResolveInstallation()
    {
        if (!Path.IsPathFullyQualified(DataDirectory))
        {
            throw new ArgumentException($"The data directory must be an absolute path, got '{DataDirectory}'.");
        }

        var dataDir = Path.GetFullPath(DataDirectory);
        return DatabaseUrl is { Length: > 0 } url
            ? InstallationResolver.ParseDatabaseUrl(url, dataDir)
            : new BambuddyInstallation(dataDir, DatabaseBackend.Sqlite, Path.Combine(dataDir, "bambuddy.db"));
    }

    /// <summary>Parses sizes like <c>512KB</c>, <c>5MB</c>, <c>2GB</c>, <c>1.5G</c> or plain bytes (units are binary).</summary>
    public static long ParseSize(string text)
    {
        var value = text.Trim().ToUpperInvariant();
        var number = value.TrimEnd('B', 'I', 'K', 'M', 'G', 'T', ' ');
        var unit = value[number.Length..].Trim().TrimEnd('B').TrimEnd('I');
        long multiplier = unit switch
        {
            "" => 1,
            "K" => 1L << 10,
            "M" => 1L << 20,
            "G" => 1L << 30,
            "T" => 1L << 40,
            _ => throw new FormatException($"Unknown size unit in '{text}'."),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount < 0)
        {
            throw new FormatException($"'{text}' is not a size such as 5MB or 2GB.");
        }

        return (long)(amount * multiplier);
    }
}
