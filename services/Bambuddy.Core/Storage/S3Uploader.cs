using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace Bambuddy.Core.Storage;

/// <summary>
/// Streams one object to S3 through a single reused part buffer: a plain PUT when the content fits in one part,
/// else a multipart upload. The SHA-256 goes along as <c>x-amz-meta-sha256</c> and the content is hashed on
/// the way, so a mismatch aborts the upload before anything becomes visible.
/// </summary>
internal sealed class S3Uploader(HttpClient http, S3StoreOptions options, S3RequestSigner signer, TimeProvider clock)
{
    public const string Sha256Metadata = "x-amz-meta-sha256";

    // Parts of 16 MiB keep memory flat; S3 allows 10,000 parts, so the part grows for known huge sizes.
    private const int DefaultPartSize = 16 << 20;
    private const int MaxParts = 10_000;
    private static readonly TimeSpan AbortTimeout = TimeSpan.FromSeconds(30);

    public async Task<long> UploadAsync(string key, string name, Stream content, long? size, string sha256, CancellationToken cancellationToken)
    {
        var partSize = PartSize(size);
        var buffer = GC.AllocateUninitializedArray<byte>(size is { } known && known < partSize ? (int)Math.Max(known, 1) : partSize);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        var filled = await FillAsync(content, buffer, cancellationToken);
        hash.AppendData(buffer, 0, filled);
        if (filled < buffer.Length || (size is { } exact && exact == filled))
        {
            // A stream longer than its declared size must not pass as that size.
            var extra = filled == buffer.Length ? await content.ReadAsync(new byte[1], cancellationToken) : 0;
            Verify(name, filled + extra, size, hash, sha256);
            await PutObjectAsync(key, buffer.AsMemory(0, filled), sha256, cancellationToken);
            return filled;
        }

        var uploadId = await InitiateAsync(key, sha256, cancellationToken);
        try
        {
            var etags = new List<string>();
            long total = 0;
            while (filled > 0)
            {
                if (etags.Count == MaxParts)
                {
                    throw new BackupStoreException(BackupStoreFailure.Other,
                        $"'{name}' is larger than an S3 multipart upload of {MaxParts} parts of {partSize} bytes allows.");
                }

                etags.Add(await UploadPartAsync(key, uploadId, etags.Count + 1, buffer.AsMemory(0, filled), cancellationToken));
                total += filled;
                filled = await FillAsync(content, buffer, cancellationToken);
                hash.AppendData(buffer, 0, filled);
            }

            Verify(name, total, size, hash, sha256);
            await CompleteAsync(key, uploadId, etags, cancellationToken);
            return total;
        }
        catch
        {
            await AbortQuietlyAsync(key, uploadId);
            throw;
        }
    }

    private static int PartSize(long? size)
    {
        if (size is not { } known || known <= (long)DefaultPartSize * MaxParts)
        {
            return DefaultPartSize;
        }

        const int mebibyte = 1 << 20;
        var needed = (known + MaxParts - 1) / MaxParts;
        return (int)Math.Min(int.MaxValue / mebibyte * (long)mebibyte, (needed + mebibyte - 1) / mebibyte * mebibyte);
    }

    private static async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await content.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
        }

        return filled;
    }

    private static void Verify(string name, long written, long? size, IncrementalHash hash, string sha256)
    {
        if (size is { } expected && written != expected)
        {
            throw new BackupStoreException(BackupStoreFailure.VerificationFailed,
                $"'{name}' was not stored: the content had {written} bytes where {expected} were expected.");
        }

        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (actual != sha256)
        {
            throw new BackupStoreException(BackupStoreFailure.VerificationFailed,
                $"'{name}' was not stored: its SHA-256 is {actual} where {sha256} was expected.");
        }
    }

    private async Task PutObjectAsync(string key, ReadOnlyMemory<byte> body, string sha256, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Put, key, "");
        request.Headers.TryAddWithoutValidation(Sha256Metadata, sha256);
        request.Content = Body(body, "application/zip");
        using var response = await SendAsync(request, S3RequestSigner.Sha256Hex(body.Span), "upload the backup", cancellationToken);
    }

    private async Task<string> InitiateAsync(string key, string sha256, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, key, "uploads=");
        request.Headers.TryAddWithoutValidation(Sha256Metadata, sha256);
        request.Content = Body(ReadOnlyMemory<byte>.Empty, "application/zip");
        using var response = await SendAsync(request, S3RequestSigner.EmptyPayloadSha256, "start a multipart upload", cancellationToken);
        var xml = await response.Content.ReadAsStringAsync(cancellationToken);
        var uploadId = XDocument.Parse(xml).Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "UploadId")?.Value;
        return string.IsNullOrEmpty(uploadId)
            ? throw new BackupStoreException(BackupStoreFailure.Other, $"The S3 endpoint {options.EndpointUrl} started a multipart upload without an upload id.")
            : uploadId;
    }

    private async Task<string> UploadPartAsync(string key, string uploadId, int partNumber, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Put, key, $"partNumber={partNumber}&uploadId={S3RequestSigner.Encode(uploadId, keepSlash: false)}");
        request.Content = Body(body, contentType: null);
        using var response = await SendAsync(request, S3RequestSigner.Sha256Hex(body.Span), $"upload part {partNumber}", cancellationToken);
        return response.Headers.ETag?.ToString()
            ?? (response.Headers.TryGetValues("ETag", out var values) ? values.First() : null)
            ?? throw new BackupStoreException(BackupStoreFailure.Other, $"The S3 endpoint {options.EndpointUrl} accepted part {partNumber} without an ETag.");
    }

    private async Task CompleteAsync(string key, string uploadId, List<string> etags, CancellationToken cancellationToken)
    {
        var xml = new XElement("CompleteMultipartUpload",
            etags.Select((etag, index) => new XElement("Part", new XElement("PartNumber", index + 1), new XElement("ETag", etag))));
        var body = Encoding.UTF8.GetBytes(xml.ToString(SaveOptions.DisableFormatting));
        using var request = Request(HttpMethod.Post, key, $"uploadId={S3RequestSigner.Encode(uploadId, keepSlash: false)}");
        request.Content = Body(body, "application/xml");
        using var response = await SendAsync(request, S3RequestSigner.Sha256Hex(body), "complete the multipart upload", cancellationToken);

        // S3 can answer 200 and still fail the completion in the body.
        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
        var (code, message) = S3ErrorResponse.Parse(answer);
        if (code is not null)
        {
            throw S3ErrorResponse.From(response.StatusCode, code, message, options, "complete the multipart upload");
        }
    }

    private async Task AbortQuietlyAsync(string key, string uploadId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(AbortTimeout);
            using var request = Request(HttpMethod.Delete, key, $"uploadId={S3RequestSigner.Encode(uploadId, keepSlash: false)}");
            signer.Sign(request, S3RequestSigner.EmptyPayloadSha256, clock.GetUtcNow());
            using var response = await http.SendAsync(request, timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            // The upload already failed; S3 lifecycle rules (or the next retention pass) clean up what is left.
        }
    }

    /// <summary>
    /// The path-style URI of an object, encoded as S3 signs it; <paramref name="query"/> comes already encoded.
    /// Uri must not re-canonicalize it, or the path sent would differ from the path signed.
    /// </summary>
    public static Uri ObjectUri(S3StoreOptions options, string key, string query)
    {
        var path = "/" + S3RequestSigner.Encode(options.Bucket, keepSlash: false) + "/" + S3RequestSigner.Encode(key, keepSlash: true);
        var url = options.EndpointUrl + path + (query.Length > 0 ? "?" + query : "");
        return new Uri(url, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
    }

    private HttpRequestMessage Request(HttpMethod method, string key, string query) => new(method, ObjectUri(options, key, query));

    private static ReadOnlyMemoryContent Body(ReadOnlyMemory<byte> body, string? contentType)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentLength = body.Length;
        if (contentType is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        return content;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string payloadSha256, string what, CancellationToken cancellationToken)
    {
        signer.Sign(request, payloadSha256, clock.GetUtcNow());
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await S3ErrorResponse.FromResponseAsync(response, options, what, cancellationToken);
        }
    }
}
