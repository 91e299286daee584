namespace Bambuddy.Contracts;

/// <summary>Where the off-site copy goes. The secret key travels only encrypted (Data Protection).</summary>
/// <param name="Endpoint">host[:port] of the S3-compatible server.</param>
/// <param name="Bucket">The bucket.</param>
/// <param name="Prefix">A key prefix inside the bucket, may be empty.</param>
/// <param name="Region">The region.</param>
/// <param name="AccessKey">The access key id.</param>
/// <param name="ProtectedSecretKey">The secret key, encrypted with the shared key ring.</param>
/// <param name="UseTls">HTTPS when true.</param>
public sealed record S3Location(
    string Endpoint,
    string Bucket,
    string Prefix,
    string Region,
    string AccessKey,
    string ProtectedSecretKey,
    bool UseTls);
