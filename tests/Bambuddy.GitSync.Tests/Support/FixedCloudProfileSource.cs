using System.Text.Json.Nodes;
using Bambuddy.GitSync.Model;

namespace Bambuddy.GitSync.Tests.Support;

/// <summary>Fixed Bambu Cloud presets; remembers the token it was given.</summary>
public sealed class FixedCloudProfileSource : ICloudProfileSource
{
    public string? LastToken { get; private set; }

    public Task<CloudProfileReadResult> ReadAsync(string? cloudToken, CancellationToken cancellationToken)
    {
        LastToken = cloudToken;
        var preset = JsonNode.Parse("""{"setting_id": "PFUS123", "name": "My PLA — fast", "type": "filament", "version": "2.0.0.1", "updated_time": "2026-01-02 03:04:05", "base_id": "GFSA00", "filament_id": "P123", "setting": {"nozzle_temperature": ["220"], "filament_flow_ratio": 0.98}}""")!;
        return Task.FromResult(new CloudProfileReadResult([new CloudProfileFile("bambu", "global", "filament", [preset])], []));
    }
}
