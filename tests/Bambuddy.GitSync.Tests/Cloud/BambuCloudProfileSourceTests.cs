using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Bambuddy.GitSync.Cloud;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Bambuddy.GitSync.Tests.Cloud;

public sealed class BambuCloudProfileSourceTests
{
    private const string Token = "bbl-token-Zq81kPw0";
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PrivatePresetsAreGroupedByTypeWithTheirDetailsOrderedBySettingId()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var asked = new List<string>();
        await using var cloud = await StandInServer.StartAsync(app => MapBambuCloud(app, asked), timeout.Token);

        var result = await Source(cloud.BaseUrl).ReadAsync(Token, timeout.Token);

        Assert.Empty(result.Warnings);
        Assert.Equal(["filament", "process"], result.Files.Select(file => file.Type));
        Assert.All(result.Files, file => Assert.Equal(("bambu", "global"), (file.Cloud, file.Owner)));
        var filaments = result.Files.Single(file => file.Type == "filament").Profiles;
        Assert.Equal(["PFUS1a", "PFUS2b"], filaments.Select(profile => (string?)profile["setting_id"]));
        Assert.Equal(
            """{"setting_id":"PFUS1a","name":"My PLA @BBL X1C","type":"filament","version":"2.0.0.10","updated_time":"2026-03-01 10:00:00","base_id":"GFSA00","filament_id":"P4d6f","setting":{"inherits":"Bambu PLA Basic @BBL X1C","nozzle_temperature":["215"]}}""",
            filaments[0].ToJsonString());
        var process = Assert.Single(result.Files.Single(file => file.Type == "process").Profiles);
        Assert.Equal("process", (string?)process["type"]);
        Assert.Null(process["user_id"]);
        // Public presets are Bambu's own catalogue: never fetched.
        Assert.DoesNotContain(asked, path => path.EndsWith("/GFSA00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnExpiredTokenIsAWarningNamingIt()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var logger = new CapturingLogger<BambuCloudProfileSource>();
        await using var cloud = await StandInServer.StartAsync(app => MapBambuCloud(app, []), timeout.Token);

        var result = await Source(cloud.BaseUrl, logger).ReadAsync("expired-" + Token, timeout.Token);

        Assert.Empty(result.Files);
        Assert.StartsWith("Bambu Cloud token expired", Assert.Single(result.Warnings));
        Assert.DoesNotContain(logger.Lines.Concat(result.Warnings), line => line.Contains(Token));
    }

    [Fact]
    public async Task AnUnreachableCloudIsAWarning()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);

        var result = await Source($"http://127.0.0.1:{ClosedPort()}").ReadAsync(Token, timeout.Token);

        Assert.Empty(result.Files);
        Assert.Contains("unreachable", Assert.Single(result.Warnings));
    }

    [Fact]
    public async Task NoTokenIsAWarningAndNoRequest()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var asked = new List<string>();
        await using var cloud = await StandInServer.StartAsync(app => MapBambuCloud(app, asked), timeout.Token);

        var result = await Source(cloud.BaseUrl).ReadAsync(null, timeout.Token);

        Assert.Empty(result.Files);
        Assert.Contains("not connected", Assert.Single(result.Warnings));
        Assert.Empty(asked);
    }

    [Fact]
    public async Task APresetWhoseDetailFailsIsNamedAndTheOthersAreKept()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var cloud = await StandInServer.StartAsync(app => MapBambuCloud(app, [], brokenPreset: "PFUS2b"), timeout.Token);

        var result = await Source(cloud.BaseUrl).ReadAsync(Token, timeout.Token);

        Assert.Equal(["PFUS1a"], result.Files.Single(file => file.Type == "filament").Profiles.Select(profile => (string?)profile["setting_id"]));
        Assert.Contains("PFUS2b", Assert.Single(result.Warnings));
    }

    private static BambuCloudProfileSource Source(string baseUrl, CapturingLogger<BambuCloudProfileSource>? logger = null) => new(
        new HttpClient(),
        Options.Create(new BambuCloudOptions { BambuCloudBaseUrl = baseUrl }),
        logger ?? new CapturingLogger<BambuCloudProfileSource>());

    /// <summary>Bambu Cloud's slicer-setting API as documented: a listing by type with public and private lists, and a detail per preset.</summary>
    private static void MapBambuCloud(WebApplication app, List<string> asked, string? brokenPreset = null)
    {
        app.Use(async (context, next) =>
        {
            lock (asked)
            {
                asked.Add(context.Request.Path);
            }

            if (context.Request.Headers.Authorization != $"Bearer {Token}")
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsJsonAsync(new { message = "token expired", code = 1, error = "Unauthorized" });
                return;
            }

            await next(context);
        });
        app.MapGet("/v1/iot-service/api/slicer/setting", (HttpContext context) =>
            context.Request.Query["version"] != "1.0.0.0" ? Results.BadRequest() : Results.Text("""
            {"message": "success", "code": null, "error": null,
             "print": {"public": [{"setting_id": "GP004", "version": "01.03.00.13", "name": "0.20mm Standard @BBL X1C", "nickname": null, "filament_id": null}],
                       "private": [{"setting_id": "PPUS9z", "version": "2.0.0.10", "name": "My 0.20mm", "nickname": null, "filament_id": null, "user_id": "1234567", "updated_time": "2026-03-02 11:00:00"}]},
             "printer": {"public": [{"setting_id": "GM001", "version": "01.03.00.13", "name": "Bambu Lab X1 Carbon 0.4 nozzle", "nickname": null, "filament_id": null}], "private": []},
             "filament": {"public": [{"setting_id": "GFSA00", "version": "01.03.00.13", "name": "Bambu PLA Basic @BBL X1C", "nickname": null, "filament_id": "GFA00"}],
                          "private": [{"setting_id": "PFUS2b", "version": "2.0.0.10", "name": "My PETG @BBL X1C", "nickname": null, "filament_id": null, "user_id": "1234567", "updated_time": "2026-03-03 12:00:00"},
                                      {"setting_id": "PFUS1a", "version": "2.0.0.10", "name": "My PLA @BBL X1C", "nickname": null, "filament_id": null, "user_id": "1234567", "updated_time": "2026-03-01 10:00:00"}]}}
            """, "application/json"));
        app.MapGet("/v1/iot-service/api/slicer/setting/{settingId}", (string settingId) =>
        {
            if (settingId == brokenPreset)
            {
                return Results.StatusCode(StatusCodes.Status500InternalServerError);
            }

            var (type, name, baseId, filamentId) = settingId switch
            {
                "PFUS1a" => ("filament", "My PLA @BBL X1C", "GFSA00", "P4d6f"),
                "PFUS2b" => ("filament", "My PETG @BBL X1C", "GFSG99", "P9a1c"),
                "PPUS9z" => ("print", "My 0.20mm", "GP004", null),
                _ => (null, null, null, null),
            };
            if (type is null)
            {
                return Results.NotFound();
            }

            var detail = new JsonObject
            {
                ["message"] = "success", ["code"] = null, ["error"] = null, ["public"] = false, ["version"] = "2.0.0.10",
                ["type"] = type, ["name"] = name, ["nickname"] = null, ["base_id"] = baseId,
                ["setting"] = type == "filament"
                    ? new JsonObject { ["inherits"] = "Bambu PLA Basic @BBL X1C", ["nozzle_temperature"] = new JsonArray("215") }
                    : new JsonObject { ["inherits"] = "0.20mm Standard @BBL X1C", ["layer_height"] = "0.2" },
                ["filament_id"] = filamentId,
            };
            return Results.Text(detail.ToJsonString(), "application/json");
        });
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
