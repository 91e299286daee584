using System.ComponentModel.DataAnnotations;

namespace Bambuddy.GitSync.KProfiles;

/// <summary>How the printers are asked for their K-profiles (section <c>GitSync</c>).</summary>
public sealed class KProfileOptions
{
    public const string Section = "GitSync";

    /// <summary>The printers' LAN MQTT port (TLS).</summary>
    [Range(1, 65535)]
    public int PrinterMqttPort { get; set; } = 8883;

    /// <summary>How long one printer may take to accept the TLS connection and the login.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PrinterConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The bound on reading all printers; a printer still busy then is skipped.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan PrinterReadTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long to wait for the answer to one request before sending it again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan KProfileRequestTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often one request is sent at most (printers may ignore the first after connecting).</summary>
    [Range(1, 10)]
    public int KProfileRequestAttempts { get; set; } = 3;

    /// <summary>How many printers are read at once.</summary>
    [Range(1, 64)]
    public int PrinterParallelism { get; set; } = 4;
}
