using System.Text.Json.Nodes;

namespace Bambuddy.GitSync.Model;

/// <summary>One cloud-profile file: <c>cloud_profiles/{cloud}/{owner}/{type}.json</c>.</summary>
/// <param name="Cloud"><c>bambu</c> (Orca Cloud has no documented API and is left out).</param>
/// <param name="Owner"><c>global</c> or <c>user-{id}</c>.</param>
/// <param name="Type"><c>filament</c>, <c>printer</c> or <c>process</c>.</param>
/// <param name="Profiles">The presets as the cloud answers them, key order kept.</param>
public sealed record CloudProfileFile(string Cloud, string Owner, string Type, IReadOnlyList<JsonNode> Profiles);

/// <summary>What reading the cloud gave; a cloud that cannot be read is a warning, never fatal.</summary>
public sealed record CloudProfileReadResult(IReadOnlyList<CloudProfileFile> Files, IReadOnlyList<string> Warnings);

/// <summary>Reads the user's presets from Bambu Cloud with the token Bambuddy keeps (<c>bambu_cloud_token</c>).</summary>
public interface ICloudProfileSource
{
    /// <summary>A null or empty token gives no files and a warning.</summary>
    Task<CloudProfileReadResult> ReadAsync(string? cloudToken, CancellationToken cancellationToken);
}
