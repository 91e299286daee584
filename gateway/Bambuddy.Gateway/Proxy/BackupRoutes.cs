using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Bambuddy.Gateway.Proxy;

/// <summary>
/// The REST surface under <c>/api/v1</c>, all served by the scheduler and found by service discovery.
/// Plain calls get a short timeout; <c>?wait=true</c>, SSE, uploads and downloads stream and get none
/// (DESIGN §7), through a cluster whose idle timeout is long enough for a long backup.
/// </summary>
public static class BackupRoutes
{
    public const string UploadMetadataKey = "bambuddy-upload";
    private const string Plain = "scheduler";
    private const string Streaming = "scheduler-streaming";
    private const string Disable = "Disable";

    private static readonly string[] DownloadPaths =
    [
        "/api/v1/jobs/{id}/events",
        "/api/v1/jobs/{id}/download",
        "/api/v1/local-backup/backups/{filename}/download",
        "/api/v1/settings/backup",
    ];

    private static readonly string[] UploadPaths =
    [
        "/api/v1/restore",
        "/api/v1/settings/restore",
        "/api/v1/local-backup/backups/{filename}/restore",
    ];

    public static IReadOnlyList<RouteConfig> Routes(Extensions.GatewayOptions options)
    {
        var routes = new List<RouteConfig>
        {
            new()
            {
                RouteId = "openapi", ClusterId = Plain, Order = 0,
                Match = new RouteMatch { Path = "/openapi/{**rest}" },
                Timeout = options.PlainCallTimeout,
            },
            new()
            {
                RouteId = "wait", ClusterId = Streaming, Order = 1, TimeoutPolicy = Disable,
                Match = new RouteMatch
                {
                    Path = "/api/v1/{**rest}",
                    QueryParameters = [new RouteQueryParameter { Name = "wait", Values = ["true"], Mode = QueryParameterMatchMode.Exact, IsCaseSensitive = false }],
                },
            },
        };

        routes.AddRange(DownloadPaths.Select((path, i) => new RouteConfig
        {
            RouteId = $"download-{i}", ClusterId = Streaming, Order = 2, TimeoutPolicy = Disable,
            Match = new RouteMatch { Path = path },
        }));
        // Order 0: ahead of "wait", so an upload with ?wait=true keeps the upload body limit (the metadata).
        routes.AddRange(UploadPaths.Select((path, i) => new RouteConfig
        {
            RouteId = $"upload-{i}", ClusterId = Streaming, Order = 0, TimeoutPolicy = Disable,
            Match = new RouteMatch { Path = path, Methods = ["POST"] },
            Metadata = new Dictionary<string, string> { [UploadMetadataKey] = "true" },
        }));
        routes.Add(new RouteConfig
        {
            RouteId = "api", ClusterId = Plain, Order = 100, Timeout = options.PlainCallTimeout,
            Match = new RouteMatch { Path = "/api/v1/{**rest}" },
        });
        return routes;
    }

    public static IReadOnlyList<ClusterConfig> Clusters() =>
    [
        new ClusterConfig
        {
            ClusterId = Plain,
            Destinations = new Dictionary<string, DestinationConfig> { ["scheduler"] = new() { Address = "http://scheduler" } },
        },
        new ClusterConfig
        {
            ClusterId = Streaming,
            Destinations = new Dictionary<string, DestinationConfig> { ["scheduler"] = new() { Address = "http://scheduler" } },
            // ?wait=true may send nothing until a long backup ends.
            HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromHours(24) },
        },
    ];
}
