using System.Net;
using System.Xml.Linq;

namespace Bambuddy.Core.Storage;

/// <summary>Turns an S3 error (a status and the <c>&lt;Error&gt;&lt;Code&gt;</c> of its XML body) into a <see cref="BackupStoreException"/>.</summary>
internal static class S3ErrorResponse
{
    private const int MaxBodyChars = 8 * 1024;

    public static async Task<BackupStoreException> FromResponseAsync(HttpResponseMessage response, S3StoreOptions options, string what, CancellationToken cancellationToken)
    {
        var body = "";
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // The status alone still says enough.
        }

        var (code, message) = Parse(body);
        return From(response.StatusCode, code, message, options, what);
    }

    /// <summary>The error code and message of an S3 error body, when it is one.</summary>
    public static (string? Code, string? Message) Parse(string body)
    {
        if (string.IsNullOrWhiteSpace(body) || !body.Contains("<Error", StringComparison.Ordinal))
        {
            return (null, null);
        }

        try
        {
            var root = XDocument.Parse(body.Length > MaxBodyChars ? body[..MaxBodyChars] : body).Root;
            var code = root?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
            var message = root?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
            return (code, message);
        }
        catch (System.Xml.XmlException)
        {
            return (null, null);
        }
    }

    public static BackupStoreException From(HttpStatusCode? status, string? code, string? message, S3StoreOptions options, string what, Exception? inner = null)
    {
        var detail = string.Join(": ", new[] { code, message }.Where(part => !string.IsNullOrEmpty(part)));
        detail = detail.Length > 0 ? detail : status is { } s ? $"HTTP {(int)s}" : "no details";
        var failure = code switch
        {
            "NoSuchBucket" => BackupStoreFailure.BucketNotFound,
            "NoSuchKey" => BackupStoreFailure.NotFound,
            "InvalidRange" => BackupStoreFailure.InvalidRange,
            "AccessDenied" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "InvalidToken" or "ExpiredToken"
                or "AllAccessDisabled" or "AccountProblem" => BackupStoreFailure.AccessDenied,
            _ => status switch
            {
                HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => BackupStoreFailure.AccessDenied,
                HttpStatusCode.NotFound => BackupStoreFailure.NotFound,
                HttpStatusCode.RequestedRangeNotSatisfiable => BackupStoreFailure.InvalidRange,
                _ => BackupStoreFailure.Other,
            },
        };

        var text = failure switch
        {
            BackupStoreFailure.AccessDenied =>
                $"The S3 endpoint {options.EndpointUrl} denied access while trying to {what} in bucket '{options.Bucket}' "
                + $"with access key '{options.AccessKey}': check the credentials (access key, secret key) and their permissions ({detail}).",
            BackupStoreFailure.BucketNotFound => $"The S3 bucket '{options.Bucket}' does not exist at {options.EndpointUrl} ({detail}).",
            BackupStoreFailure.NotFound => $"Could not {what}: not found in bucket '{options.Bucket}' at {options.EndpointUrl} ({detail}).",
            BackupStoreFailure.InvalidRange => $"Could not {what}: the requested range lies outside the backup ({detail}).",
            _ => $"The S3 endpoint {options.EndpointUrl} failed to {what} in bucket '{options.Bucket}' ({detail}).",
        };
        return new BackupStoreException(failure, text, inner);
    }
}
