using Bambuddy.GitSync.Export;

namespace Bambuddy.GitSync.Tests.Export;

public sealed class SecretSettingsTests
{
    [Theory]
    [InlineData("bambu_cloud_token")]
    [InlineData("auth_secret_key")]
    [InlineData("mqtt_password")]
    [InlineData("ha_token")]
    [InlineData("ldap_bind_password")]
    [InlineData("smtp_password")]
    [InlineData("prometheus_token")]
    [InlineData("obico_ml_token")]
    [InlineData("virtual_printer_access_code")]
    [InlineData("orca_cloud_token")]
    [InlineData("orca_cloud_refresh_token")]
    public void BambuddysKnownSecretSettingsAreSecret(string key) => Assert.True(SecretSettings.IsSecret(key));

    [Theory]
    [InlineData("new_integration_TOKEN")]
    [InlineData("Webhook_Secret")]
    [InlineData("ftp_passwd")]
    [InlineData("printer_access_code_2")]
    [InlineData("octo_api_key")]
    [InlineData("spoolman_apikey")]
    [InlineData("backup_passphrase")]
    [InlineData("tls_private_key")]
    [InlineData("cloud_credentials")]
    public void KeysThatLookLikeSecretsAreSecretWhateverTheirCase(string key) => Assert.True(SecretSettings.IsSecret(key));

    [Theory]
    [InlineData("currency")]
    [InlineData("mqtt_username")]
    [InlineData("ha_url")]
    [InlineData("local_backup_path")]
    [InlineData("bambu_cloud_email")]
    [InlineData("smtp_port")]
    public void OrdinarySettingsAreKept(string key) => Assert.False(SecretSettings.IsSecret(key));
}
