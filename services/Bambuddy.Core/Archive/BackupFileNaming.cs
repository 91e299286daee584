using System.Globalization;

namespace Bambuddy.Core.Archive;

/// <summary>
/// Names of backup ZIPs as Bambuddy gives them, <c>bambuddy-backup-YYYYMMDD-HHMMSS.zip</c> in a time
/// zone, and the hidden temporary name a ZIP has while it is written (which no listing shows).
/// </summary>
public static class BackupFileNaming
{
    public const string Prefix = "bambuddy-backup-";
    public const string Extension = ".zip";

    /// <summary>Ends the temporary name of a ZIP being written.</summary>
    public const string PartialSuffix = ".partial";

    private const string TimestampFormat = "yyyyMMdd-HHmmss";

    /// <summary>The name of a backup taken at <paramref name="time"/>, as a clock in <paramref name="zone"/> reads it.</summary>
    public static string Format(DateTimeOffset time, TimeZoneInfo zone) =>
        Prefix + TimeZoneInfo.ConvertTime(time, zone).ToString(TimestampFormat, CultureInfo.InvariantCulture) + Extension;

    /// <summary>Where the ZIP named <paramref name="fileName"/> is written before it is renamed into place.</summary>
    public static string PartialName(string fileName) => "." + fileName + PartialSuffix;

    /// <summary>Whether <paramref name="fileName"/> is a finished backup's name (Bambuddy accepts only these).</summary>
    public static bool IsBackupFileName(string fileName) =>
        fileName.StartsWith(Prefix, StringComparison.Ordinal)
        && fileName.EndsWith(Extension, StringComparison.Ordinal)
        && fileName.IndexOfAny(['/', '\\']) < 0
        && !fileName.Contains("..", StringComparison.Ordinal);

    /// <summary>
    /// The name for a backup starting now that neither exists in <paramref name="folder"/> nor is being
    /// written there: when the current second's name is taken, waits for the next second (a backup never
    /// overwrites another).
    /// </summary>
    public static async Task<string> NextFreeNameAsync(string folder, TimeZoneInfo zone, TimeProvider clock, CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = clock.GetUtcNow();
            var name = Format(now, zone);
            if (!File.Exists(Path.Combine(folder, name)) && !File.Exists(Path.Combine(folder, PartialName(name))))
            {
                return name;
            }

            var intoSecond = TimeSpan.FromTicks(now.UtcTicks % TimeSpan.TicksPerSecond);
            await Task.Delay(TimeSpan.FromSeconds(1) - intoSecond + TimeSpan.FromMilliseconds(1), clock, cancellationToken);
        }
    }
}
