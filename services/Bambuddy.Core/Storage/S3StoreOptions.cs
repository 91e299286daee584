using System.Text;

namespace Bambuddy.Core.Storage;

/// <summary>Where an <see cref="S3BackupStore"/> keeps backups. <see cref="ToString"/> never shows the secret key.</summary>
public sealed record S3StoreOptions
{
    /// <summary>The server as <c>host</c> or <c>host:port</c>, without a scheme (<see cref="UseTls"/> picks it).</summary>
    public required string Endpoint { get; init; }

    /// <summary>The bucket, created when missing (3–63 characters).</summary>
    public required string Bucket { get; init; }

    /// <summary>A key prefix the backups are kept under, such as <c>bambuddy/</c>; empty for the bucket's top.</summary>
    public string Prefix { get; init; } = "";

    public string Region { get; init; } = "us-east-1";

    public required string AccessKey { get; init; }

    public required string SecretKey { get; init; }

    public bool UseTls { get; init; } = true;

    /// <summary>The endpoint as a URL, for messages.</summary>
    public string EndpointUrl => $"{(UseTls ? "https" : "http")}://{Endpoint}";

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Endpoint = {EndpointUrl}, Bucket = {Bucket}, Prefix = {Prefix}, Region = {Region}, AccessKey = {AccessKey}, SecretKey = ***");
        return true;
    }
}
