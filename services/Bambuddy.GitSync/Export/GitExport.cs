using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Bambuddy.Contracts;
using Bambuddy.Core.Bambuddy;
using Bambuddy.GitSync.Model;

namespace Bambuddy.GitSync.Export;

/// <summary>
/// Builds the managed files of a git backup as Bambuddy lays them out: same paths, key names, key order and
/// formatting, rows ordered by id, no timestamp anywhere, so unchanged data gives identical bytes.
/// Only the enabled categories are in the tree; the sync deletes the files of the others.
/// </summary>
public static class GitExport
{
    public const string OrcaCloudNote = "Orca Cloud profiles are not included: Orca Cloud has no documented API.";

    /// <param name="database">The installation's database (settings, spools, usage, archives).</param>
    /// <param name="contents">The enabled categories.</param>
    /// <param name="kProfiles">The K-profiles read from the printers (used when enabled).</param>
    /// <param name="cloudProfiles">The cloud-profile files read from Bambu Cloud (used when enabled).</param>
    /// <returns>Repository path (<c>/</c>-separated) → file bytes, ordered by path.</returns>
    public static async Task<SortedDictionary<string, byte[]>> BuildAsync(
        BambuddyDatabase database,
        GitBackupContents contents,
        IReadOnlyList<PrinterKProfiles> kProfiles,
        IReadOnlyList<CloudProfileFile> cloudProfiles,
        CancellationToken cancellationToken)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [ManagedPaths.Metadata] = PythonJson.SerializeToUtf8Bytes(Metadata(contents)),
        };

        if (contents.KProfiles)
        {
            foreach (var printer in kProfiles.Where(p => p.Profiles.Count > 0))
            {
                files[$"kprofiles/{Segment(printer.PrinterSerial, "printer serial")}/{Segment(printer.NozzleDiameter, "nozzle diameter")}.json"] =
                    PythonJson.SerializeToUtf8Bytes(KProfileFile(printer));
            }
        }

        if (contents.CloudProfiles)
        {
            foreach (var file in cloudProfiles.Where(f => f.Profiles.Count > 0))
            {
                var path = $"cloud_profiles/{Segment(file.Cloud, "cloud")}/{Segment(file.Owner, "cloud account")}/{Segment(file.Type, "profile type")}.json";
                files[path] = PythonJson.SerializeToUtf8Bytes(new JsonObject
                {
                    ["version"] = "2.0",
                    ["cloud"] = file.Cloud,
                    ["type"] = file.Type,
                    ["profiles"] = new JsonArray([.. file.Profiles.Select(p => p.DeepClone())]),
                });
            }
        }

        if (contents.Settings)
        {
            var settings = new JsonObject();
            foreach (var (key, value) in await database.ReadSettingsAsync(cancellationToken))
            {
                if (!SecretSettings.IsSecret(key))
                {
                    settings[key] = value;
                }
            }

            files["settings/app_settings.json"] = PythonJson.SerializeToUtf8Bytes(new JsonObject { ["version"] = "1.0", ["settings"] = settings });
        }

        // As Bambuddy: a category with no rows writes no file (and usage only goes with spools).
        if (contents.Spools)
        {
            var spools = await database.ReadSpoolsAsync(cancellationToken);
            if (spools.Count > 0)
            {
                files["spools/inventory.json"] = RowsFile("spools", spools);
                var usage = await database.ReadSpoolUsageAsync(cancellationToken);
                if (usage.Count > 0)
                {
                    files["spools/usage_history.json"] = RowsFile("usage_history", usage);
                }
            }
        }

        if (contents.Archives)
        {
            var archives = await database.ReadPrintArchivesAsync(cancellationToken);
            if (archives.Count > 0)
            {
                files["archives/print_history.json"] = RowsFile("archives", archives);
            }
        }

        return files;
    }

    private static JsonObject Metadata(GitBackupContents contents)
    {
        var metadata = new JsonObject
        {
            ["version"] = "1.0",
            ["backup_type"] = "bambuddy_profiles",
            ["contents"] = new JsonObject
            {
                ["kprofiles"] = contents.KProfiles,
                ["cloud_profiles"] = contents.CloudProfiles,
                ["settings"] = contents.Settings,
                ["spools"] = contents.Spools,
                ["archives"] = contents.Archives,
            },
        };
        if (contents.CloudProfiles)
        {
            metadata["note"] = OrcaCloudNote;
        }

        return metadata;
    }

    private static JsonObject KProfileFile(PrinterKProfiles printer) => new()
    {
        ["version"] = "1.0",
        ["printer_name"] = printer.PrinterName,
        ["printer_serial"] = printer.PrinterSerial,
        ["nozzle_diameter"] = printer.NozzleDiameter,
        ["profiles"] = new JsonArray([.. printer.Profiles.Select(p => (JsonNode)new JsonObject
        {
            ["slot_id"] = p.SlotId,
            ["name"] = p.Name,
            ["k_value"] = p.KValue,
            ["filament_id"] = p.FilamentId,
            ["nozzle_id"] = p.NozzleId,
            ["extruder_id"] = p.ExtruderId,
            ["setting_id"] = p.SettingId,
            ["n_coef"] = p.NCoef,
        })]),
    };

    /// <summary>
    /// <c>{"version": "1.0", "{listName}": [rows]}</c> written straight from the rows (ten thousand archives are
    /// 11 MB of JSON; no node tree for them), laid out exactly as <see cref="PythonJson.Serialize"/> would.
    /// </summary>
    internal static byte[] RowsFile(string listName, IReadOnlyList<BambuddyRow> rows)
    {
        var builder = new StringBuilder(rows.Count * 1024);
        builder.Append("{\n  \"version\": \"1.0\",\n  ");
        PythonJson.WriteString(builder, listName);
        builder.Append(": ");
        if (rows.Count == 0)
        {
            builder.Append("[]");
        }
        else
        {
            builder.Append('[');
            for (var i = 0; i < rows.Count; i++)
            {
                builder.Append(i == 0 ? "\n    " : ",\n    ");
                var row = rows[i];
                if (row.Count == 0)
                {
                    builder.Append("{}");
                    continue;
                }

                builder.Append('{');
                for (var c = 0; c < row.Count; c++)
                {
                    var (column, value) = row[c];
                    builder.Append(c == 0 ? "\n      " : ",\n      ");
                    PythonJson.WriteString(builder, column);
                    builder.Append(": ");
                    PythonJson.WriteScalar(builder, ToScalar(column, value));
                }

                builder.Append("\n    }");
            }

            builder.Append("\n  ]");
        }

        builder.Append("\n}");
        return Encoding.ASCII.GetBytes(builder.ToString());
    }

    private static object? ToScalar(string column, object? value) => value switch
    {
        null or bool or long or double => value,
        string s when column.EndsWith("_at", StringComparison.Ordinal) => PythonDateTime(s),
        string => value,
        byte[] bytes => Convert.ToBase64String(bytes),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private static readonly string[] DateTimeFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm:sszzz", "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", "yyyy-MM-ddTHH:mm:sszzz", "yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd HH:mm:ssZ", "yyyy-MM-dd HH:mm:ss.FFFFFFFZ", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ss.FFFFFFFZ",
    ];

    /// <summary>
    /// A datetime as <c>YYYY-MM-DD HH:MM:SS[.ffffff]</c> (Python's <c>str(datetime)</c>, microseconds only when not
    /// zero) whatever the backend wrote: SQLite's text forms, PostgreSQL's values, aware ones in UTC without offset.
    /// Text that is no datetime is kept as it is.
    /// </summary>
    public static string PythonDateTime(string text)
    {
        // What Bambuddy writes into SQLite is already in the form (most rows): no parse.
        if (IsPlainDateTime(text))
        {
            return text.Length == 26 && text.EndsWith(".000000", StringComparison.Ordinal) ? text[..19] : text;
        }

        if (!DateTimeOffset.TryParseExact(text.Trim(), DateTimeFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return text;
        }

        var value = parsed.UtcDateTime;
        var microseconds = value.Ticks % TimeSpan.TicksPerSecond / 10;
        var whole = value.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        return microseconds == 0 ? whole : whole + "." + microseconds.ToString("000000", CultureInfo.InvariantCulture);
    }

    /// <summary><c>YYYY-MM-DD HH:MM:SS</c> or <c>YYYY-MM-DD HH:MM:SS.ffffff</c>, digits where digits belong.</summary>
    private static bool IsPlainDateTime(string text)
    {
        if (text.Length is not (19 or 26) || (text.Length == 26 && text[19] != '.'))
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var ok = i switch
            {
                4 or 7 => text[i] == '-',
                10 => text[i] == ' ',
                13 or 16 => text[i] == ':',
                19 => true,
                _ => char.IsAsciiDigit(text[i]),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static string Segment(string value, string what) =>
        value.Length == 0 || value is "." or ".." || value.AsSpan().IndexOfAny('/', '\\', '\0') >= 0
            ? throw new InvalidDataException($"The {what} '{value}' cannot be used as a file or folder name in the repository.")
            : value;
}
