using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Bambuddy.Core.Storage;

/// <summary>
/// AWS Signature Version 4 in the Authorization header, for the few S3 calls made without the Minio client
/// (its 7.0.0 multipart upload copies every part several times over in memory). Signs the host and every
/// request header; the caller builds the URI already encoded as S3 expects.
/// </summary>
internal sealed class S3RequestSigner(string accessKey, string secretKey, string region)
{
    public const string EmptyPayloadSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string Algorithm = "AWS4-HMAC-SHA256";
    private const string Service = "s3";

    /// <summary>Adds <c>x-amz-date</c>, <c>x-amz-content-sha256</c> and <c>Authorization</c>; returns the Authorization value.</summary>
    public string Sign(HttpRequestMessage request, string payloadSha256, DateTimeOffset now)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        request.Headers.Host = uri.Authority;
        request.Headers.Remove("x-amz-date");
        request.Headers.Remove("x-amz-content-sha256");
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadSha256);

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in request.Headers)
        {
            headers[header.Key.ToLowerInvariant()] = string.Join(",", header.Value.Select(CollapseSpaces));
        }

        var signedHeaders = string.Join(";", headers.Keys);
        var canonicalRequest = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(uri.AbsolutePath).Append('\n')
            .Append(CanonicalQuery(uri.Query)).Append('\n');
        foreach (var (name, value) in headers)
        {
            canonicalRequest.Append(name).Append(':').Append(value).Append('\n');
        }

        canonicalRequest.Append('\n').Append(signedHeaders).Append('\n').Append(payloadSha256);

        var scope = $"{date}/{region}/{Service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Sha256Hex(canonicalRequest.ToString())}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, Service);
        key = Hmac(key, "aws4_request");
        var signature = Convert.ToHexStringLower(Hmac(key, stringToSign));

        var authorization = $"{Algorithm} Credential={accessKey}/{scope},SignedHeaders={signedHeaders},Signature={signature}";
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return authorization;
    }

    /// <summary>Percent-encodes as S3 wants: everything but A–Z a–z 0–9 - _ . ~ (and <c>/</c> when <paramref name="keepSlash"/>).</summary>
    public static string Encode(string value, bool keepSlash)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static string Sha256Hex(string text) => Sha256Hex(Encoding.UTF8.GetBytes(text));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    // The query is built already encoded; only its order needs fixing.
    private static string CanonicalQuery(string query)
    {
        if (query.Length <= 1)
        {
            return "";
        }

        return string.Join("&", query[1..]
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Contains('=') ? pair : pair + "=")
            .Order(StringComparer.Ordinal));
    }

    private static string CollapseSpaces(string value) => string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
