using System.ComponentModel.DataAnnotations;

namespace Bambuddy.Gateway.Extensions;

public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>The largest request body of a plain call.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The largest upload (a backup ZIP to restore); uploads stream, so this is a policy, not memory.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 200L * 1024 * 1024 * 1024;

    /// <summary>The timeout of a plain call; long work answers through jobs, <c>?wait=true</c>, SSE and streams.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PlainCallTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
