using Bambuddy.Core.Bambuddy;

namespace Bambuddy.GitSync.Model;

/// <summary>One pressure-advance (K) profile as a printer reports it, in Bambuddy's export fields.</summary>
/// <param name="SlotId">The printer's <c>cali_idx</c>.</param>
/// <param name="KValue">As the printer sends it, a string like <c>"0.020000"</c>.</param>
/// <param name="NCoef">As the printer sends it, a string like <c>"1.400000"</c>.</param>
public sealed record KProfileEntry(
    int SlotId,
    string Name,
    string KValue,
    string FilamentId,
    string NozzleId,
    int ExtruderId,
    string SettingId,
    string NCoef);

/// <summary>The K-profiles of one printer for one nozzle diameter: one file <c>kprofiles/{serial}/{diameter}.json</c>.</summary>
/// <param name="NozzleDiameter"><c>0.2</c>, <c>0.4</c>, <c>0.6</c> or <c>0.8</c>.</param>
public sealed record PrinterKProfiles(
    string PrinterName,
    string PrinterSerial,
    string NozzleDiameter,
    IReadOnlyList<KProfileEntry> Profiles);

/// <summary>What reading the printers gave: the files, and the printers skipped (offline, refused login) with why.</summary>
public sealed record KProfileReadResult(IReadOnlyList<PrinterKProfiles> Files, IReadOnlyList<string> Skipped);

/// <summary>Reads K-profiles from the printers (over their LAN MQTT).</summary>
public interface IKProfileSource
{
    /// <summary>Never throws for a printer that is offline or refuses: it is skipped and named in <see cref="KProfileReadResult.Skipped"/>.</summary>
    Task<KProfileReadResult> ReadAsync(IReadOnlyList<BambuddyPrinter> printers, CancellationToken cancellationToken);
}
