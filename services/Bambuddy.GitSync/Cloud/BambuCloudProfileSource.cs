using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bambuddy.GitSync.Model;
using Microsoft.Extensions.Options;

namespace Bambuddy.GitSync.Cloud;

/// <summary>
/// Reads the user's custom presets (the <c>private</c> ones) from Bambu Cloud: the listing, then each preset's detail,
/// grouped by type into one file each. Anything that goes wrong is a warning, never fatal; the token is never logged.
/// </summary>
public sealed partial class BambuCloudProfileSource(HttpClient http, IOptions<BambuCloudOptions> options, ILogger<BambuCloudProfileSource> logger)
    : ICloudProfileSource
{
    /// <summary>The token Bambuddy keeps in its settings is not any one user's: Bambuddy files its presets under <c>global</c>.</summary>
    public const string Owner = "global";

    private const string Cloud = "bambu";

    /// <summary>The listing's keys and Bambuddy's type names: Bambu calls process presets <c>print</c>.</summary>
    private static readonly (string ListingKey, string Type)[] Types = [("filament", "filament"), ("printer", "printer"), ("print", "process")];

    public async Task<CloudProfileReadResult> ReadAsync(string? cloudToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(cloudToken))
        {
            return Warn("Bambu Cloud is not connected (no token): cloud profiles are not in this backup.");
        }

        var settings = options.Value;
        var baseUrl = settings.BambuCloudBaseUrl.TrimEnd('/');
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.BambuCloudTimeout);
        try
        {
            var (listing, status) = await GetAsync($"{baseUrl}/v1/iot-service/api/slicer/setting?version=1.0.0.0", cloudToken, timeout.Token);
            if (listing is null)
            {
                return Warn(Refusal(status, "the preset list"));
            }

            var files = new List<CloudProfileFile>();
            var warnings = new List<string>();
            foreach (var (key, type) in Types)
            {
                var profiles = new List<(string SettingId, JsonNode Profile)>();
                foreach (var entry in (listing[key]?["private"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (Text(Or(entry["setting_id"], entry["id"])) is not { Length: > 0 } settingId)
                    {
                        continue;
                    }

                    var (detail, detailStatus) = await GetAsync(
                        $"{baseUrl}/v1/iot-service/api/slicer/setting/{Uri.EscapeDataString(settingId)}", cloudToken, timeout.Token);
                    if (detailStatus is HttpStatusCode.Unauthorized)
                    {
                        return Warn(Refusal(detailStatus, "a preset"));
                    }

                    if (detail is null)
                    {
                        // One unreadable preset must not cost the others, nor vanish quietly.
                        warnings.Add($"Bambu Cloud preset {settingId} ({Text(entry["name"]) ?? "unnamed"}) could not be read (HTTP {(int)detailStatus}); it is not in this backup.");
                        continue;
                    }

                    profiles.Add((settingId, Record(settingId, type, entry, detail)));
                }

                if (profiles.Count > 0)
                {
                    files.Add(new CloudProfileFile(Cloud, Owner, type,
                        [.. profiles.OrderBy(profile => profile.SettingId, StringComparer.Ordinal).Select(profile => profile.Profile)]));
                }
            }

            LogRead(files.Sum(file => file.Profiles.Count), warnings.Count);
            foreach (var warning in warnings)
            {
                LogWarning(warning);
            }

            return new CloudProfileReadResult(files, warnings);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Warn($"Bambu Cloud did not answer within {settings.BambuCloudTimeout.TotalSeconds:0} s: cloud profiles are not in this backup.");
        }
        catch (HttpRequestException ex)
        {
            return Warn($"Bambu Cloud is unreachable ({Describe(ex)}): cloud profiles are not in this backup.");
        }
        catch (JsonException)
        {
            return Warn("Bambu Cloud answered with something that is not its JSON: cloud profiles are not in this backup.");
        }
    }

    /// <summary>The JSON answer, or null with the status when the cloud refused.</summary>
    private async Task<(JsonObject? Body, HttpStatusCode Status)> GetAsync(string url, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Bambuddy-Backup", "1.0"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return (null, response.StatusCode);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return (await JsonNode.ParseAsync(body, cancellationToken: cancellationToken) as JsonObject
            ?? throw new JsonException("Not a JSON object."), response.StatusCode);
    }

    /// <summary>
    /// One preset as Bambuddy stores it: what a restore needs to rebuild it (<c>base_id</c>, <c>setting</c>). The
    /// listing's <c>user_id</c> is left out on purpose: it names the account and rebuilds nothing.
    /// </summary>
    private static JsonObject Record(string settingId, string type, JsonObject entry, JsonObject detail) => new()
    {
        ["setting_id"] = settingId,
        ["name"] = Copy(Or(Or(detail["name"], entry["name"]), "Unknown")),
        ["type"] = type,
        ["version"] = Copy(Or(detail["version"], entry["version"])),
        ["updated_time"] = Copy(entry["updated_time"]),
        ["base_id"] = Copy(detail["base_id"]),
        ["filament_id"] = Copy(detail["filament_id"]),
        ["setting"] = Copy(Or(detail["setting"], new JsonObject())),
    };

    /// <summary>Python's <c>a or b</c>, which Bambuddy uses for its fallbacks: <paramref name="first"/> unless it is empty, false or zero.</summary>
    private static JsonNode? Or(JsonNode? first, JsonNode? second) => IsTruthy(first) ? first : second;

    private static bool IsTruthy(JsonNode? node) => node switch
    {
        null => false,
        JsonArray array => array.Count > 0,
        JsonObject obj => obj.Count > 0,
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>().Length > 0,
            JsonValueKind.False or JsonValueKind.Null => false,
            JsonValueKind.Number => value.ToJsonString() is not ("0" or "0.0"),
            _ => true,
        },
        _ => true,
    };

    private static JsonNode? Copy(JsonNode? node) => node?.DeepClone();

    private static string? Text(JsonNode? node) => node switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => value.ToJsonString(),
        _ => null,
    };

    private static string Refusal(HttpStatusCode status, string what) => status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
            $"Bambu Cloud token expired or revoked (HTTP {(int)status} reading {what}): sign in to Bambu Cloud in Bambuddy again; cloud profiles are not in this backup.",
        _ => $"Bambu Cloud answered HTTP {(int)status} reading {what}: cloud profiles are not in this backup.",
    };

    private static string Describe(HttpRequestException ex) => ex.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "unknown host",
        HttpRequestError.ConnectionError => "connection failed",
        HttpRequestError.SecureConnectionError => "TLS error",
        _ when ex.InnerException is AuthenticationException => "TLS error",
        var other => other.ToString(),
    };

    private CloudProfileReadResult Warn(string warning)
    {
        LogWarning(warning);
        return new CloudProfileReadResult([], [warning]);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Profiles} custom presets from Bambu Cloud ({Warnings} warnings)")]
    private partial void LogRead(int profiles, int warnings);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private partial void LogWarning(string warning);
}
