using Bambuddy.Core.Bambuddy;
using Bambuddy.GitSync.Model;

namespace Bambuddy.GitSync.Tests.Support;

/// <summary>Fixed K-profiles for every printer asked about (the real source talks MQTT; this test is about git).</summary>
public sealed class FixedKProfileSource : IKProfileSource
{
    public IReadOnlyList<BambuddyPrinter> LastPrinters { get; private set; } = [];

    public Task<KProfileReadResult> ReadAsync(IReadOnlyList<BambuddyPrinter> printers, CancellationToken cancellationToken)
    {
        LastPrinters = printers;
        var files = printers.SelectMany(p => new[] { "0.4", "0.6" }.Select(nozzle => new PrinterKProfiles(p.Name, p.SerialNumber, nozzle,
        [
            new KProfileEntry(1, "Bambu PLA Basic", "0.020000", "GFA00", "HS00-0.4", 0, "GFSA00", "1.400000"),
            new KProfileEntry(2, "Généric PETG", "0.035000", "GFG99", "HS00-0.4", 0, "", "1.400000"),
        ]))).ToList();
        return Task.FromResult(new KProfileReadResult(files, ["Printer 'Offline X1' (00M09A000000099) skipped: offline"]));
    }
}
