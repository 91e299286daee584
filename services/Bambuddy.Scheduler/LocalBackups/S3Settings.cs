namespace Bambuddy.Scheduler.LocalBackups;

/// <summary>The off-site copy's settings. The secret key is kept only encrypted and never returned.</summary>
public sealed record S3Settings(
    bool Enabled,
    string Endpoint,
    string Bucket,
    string Prefix,
    string Region,
    string AccessKey,
    bool UseTls,
    string? ProtectedSecretKey);
