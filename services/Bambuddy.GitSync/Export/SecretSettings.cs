namespace Bambuddy.GitSync.Export;

/// <summary>
/// Which app settings hold secrets and never leave the installation in a git backup: Bambuddy's known secret
/// keys by name, and any key whose name looks like a secret (a new integration's token is caught too).
/// </summary>
public static class SecretSettings
{
    /// <summary>Bambuddy's settings known to hold secrets.</summary>
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "bambu_cloud_token", "auth_secret_key", "mqtt_password", "ha_token", "ldap_bind_password", "smtp_password",
        "prometheus_token", "obico_ml_token", "virtual_printer_access_code", "orca_cloud_token", "orca_cloud_refresh_token",
    };

    /// <summary>Parts of a key name that mark it as a secret, compared ignoring case.</summary>
    public static readonly IReadOnlyList<string> Patterns =
    [
        "token", "secret", "password", "passwd", "access_code", "api_key", "apikey", "passphrase", "private_key", "credential",
    ];

    public static bool IsSecret(string key) =>
        Names.Contains(key) || Patterns.Any(pattern => key.Contains(pattern, StringComparison.OrdinalIgnoreCase));
}
