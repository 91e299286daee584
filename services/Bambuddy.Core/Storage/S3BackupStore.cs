using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Minio;
using Minio.DataModel;
using Minio.DataModel.Args;
using Minio.Exceptions;

namespace Bambuddy.Core.Storage;

/// <summary>
/// Backups in an S3-compatible bucket (MinIO, AWS, any S3) under a key prefix, with the SHA-256 of each kept as
/// object metadata (DESIGN §3). Listing, stat, delete and bucket creation go through the Minio client; reads use a
/// presigned GET (Minio 7.0.0's own ranged GET throws on 206); writes stream through <see cref="S3Uploader"/>.
/// A write is verified afterwards by a stat: size and SHA-256 metadata, never the ETag. Every failure surfaces as
/// a <see cref="BackupStoreException"/>; no Minio type leaves this file.
/// </summary>
public sealed class S3BackupStore : IBackupStore, IDisposable
{
    private const int PresignedUrlSeconds = 10 * 60;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    private readonly S3StoreOptions _options;
    private readonly string _prefix;
    private readonly HttpClient _http;
    private readonly IMinioClient _minio;
    private readonly S3Uploader _uploader;
    private volatile bool _bucketReady;

    public S3BackupStore(S3StoreOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Endpoint, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.AccessKey, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.SecretKey, nameof(options));
        if (options.Endpoint.Contains("://", StringComparison.Ordinal) || options.Endpoint.Contains('/'))
        {
            throw new ArgumentException($"The S3 endpoint '{options.Endpoint}' must be host or host:port, without a scheme or path.", nameof(options));
        }

        if (options.Bucket is not { Length: >= 3 and <= 63 })
        {
            throw new ArgumentException($"The S3 bucket name '{options.Bucket}' must have 3 to 63 characters.", nameof(options));
        }

        _options = options;
        _prefix = options.Prefix.Trim('/') is { Length: > 0 } prefix ? prefix + "/" : "";
        // No overall timeout: uploads and downloads stream for as long as they take; callers cancel.
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = ConnectTimeout, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _minio = new MinioClient()
            .WithEndpoint(options.Endpoint)
            .WithCredentials(options.AccessKey, options.SecretKey)
            .WithRegion(options.Region)
            .WithSSL(options.UseTls)
            .WithHttpClient(_http, disposeHttpClient: false)
            .Build();
        _uploader = new S3Uploader(_http, options, new S3RequestSigner(options.AccessKey, options.SecretKey, options.Region), clock ?? TimeProvider.System);
    }

    public string Location => "s3";

    public Task<IReadOnlyList<StoredBackup>> ListAsync(CancellationToken cancellationToken) =>
        CallAsync<IReadOnlyList<StoredBackup>>("list the backups", async () =>
        {
            await EnsureBucketAsync(cancellationToken);
            var args = new ListObjectsArgs().WithBucket(_options.Bucket).WithRecursive(false);
            if (_prefix.Length > 0)
            {
                args = args.WithPrefix(_prefix);
            }

            var names = new List<string>();
            await foreach (var item in _minio.ListObjectsEnumAsync(args, cancellationToken))
            {
                if (!item.IsDir && item.Key.StartsWith(_prefix, StringComparison.Ordinal) && BackupName.IsValid(item.Key[_prefix.Length..]))
                {
                    names.Add(item.Key[_prefix.Length..]);
                }
            }

            // The SHA-256 is metadata, which a listing does not carry: one stat per backup (retention keeps them few).
            var backups = new List<StoredBackup>(names.Count);
            foreach (var name in names.Order(StringComparer.Ordinal))
            {
                if (await StatAsync(name, cancellationToken) is { } backup)
                {
                    backups.Add(backup);
                }
            }

            return backups;
        }, cancellationToken);

    public Task<StoredBackup?> GetAsync(string name, CancellationToken cancellationToken)
    {
        BackupName.Validate(name);
        return CallAsync($"read the details of '{name}'", () => StatAsync(name, cancellationToken), cancellationToken);
    }

    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken) =>
        await GetAsync(name, cancellationToken) is not null;

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken) =>
        OpenReadRangeAsync(name, 0, null, cancellationToken);

    public Task<Stream> OpenReadRangeAsync(string name, long offset, long? length, CancellationToken cancellationToken)
    {
        BackupName.Validate(name);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } wanted)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(wanted, nameof(length));
        }

        var what = $"read '{name}'";
        return CallAsync<Stream>(what, async () =>
        {
            var url = await _minio.PresignedGetObjectAsync(new PresignedGetObjectArgs()
                .WithBucket(_options.Bucket)
                .WithObject(_prefix + name)
                .WithExpiry(PresignedUrlSeconds));
            var ranged = offset > 0 || length is not null;
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (ranged)
            {
                request.Headers.Range = new RangeHeaderValue(offset, length is { } count ? offset + count - 1 : null);
            }

            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            try
            {
                var expected = ranged ? HttpStatusCode.PartialContent : HttpStatusCode.OK;
                if (response.StatusCode != expected)
                {
                    if (response.IsSuccessStatusCode)
                    {
                        throw new BackupStoreException(BackupStoreFailure.Other,
                            $"The S3 endpoint {_options.EndpointUrl} answered {(int)response.StatusCode} where {(int)expected} was expected to {what}.");
                    }

                    var error = await S3ErrorResponse.FromResponseAsync(response, _options, what, cancellationToken);
                    throw error.Reason == BackupStoreFailure.NotFound
                        ? new BackupStoreException(BackupStoreFailure.NotFound, $"There is no backup named '{name}' in S3 bucket '{_options.Bucket}'.", error)
                        : error;
                }

                var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                return new BoundedReadStream(body, response.Content.Headers.ContentLength, response);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }, cancellationToken);
    }

    public Task<StoredBackup> WriteAsync(string name, Stream content, long? size, string sha256, CancellationToken cancellationToken)
    {
        BackupName.Validate(name);
        ArgumentNullException.ThrowIfNull(content);
        var expectedHash = BackupName.NormalizeSha256(sha256);
        if (size is { } expectedSize)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(expectedSize, nameof(size));
        }

        return CallAsync($"upload '{name}'", async () =>
        {
            await EnsureBucketAsync(cancellationToken);
            if (await StatAsync(name, cancellationToken) is not null)
            {
                throw new BackupStoreException(BackupStoreFailure.AlreadyExists,
                    $"A backup named '{name}' already exists in S3 bucket '{_options.Bucket}'; backups are never overwritten.");
            }

            var written = await _uploader.UploadAsync(_prefix + name, name, content, size, expectedHash, cancellationToken);

            // The upload was hashed on the way; the stat proves the server kept all of it and the checksum with it.
            var stored = await StatAsync(name, cancellationToken);
            var problem = stored switch
            {
                null => "it is not there after the upload",
                _ when stored.Size != written => $"it has {stored.Size} bytes where {written} were sent",
                _ when stored.Sha256 != expectedHash => $"its SHA-256 metadata is '{stored.Sha256}' where '{expectedHash}' was sent",
                _ => null,
            };
            if (problem is not null)
            {
                await RemoveQuietlyAsync(name);
                throw new BackupStoreException(BackupStoreFailure.VerificationFailed,
                    $"'{name}' failed verification in S3 bucket '{_options.Bucket}': {problem}.");
            }

            return stored!;
        }, cancellationToken);
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        BackupName.Validate(name);
        return CallAsync($"delete '{name}'", async () =>
        {
            if (await StatAsync(name, cancellationToken) is null)
            {
                return false;
            }

            await _minio.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(_options.Bucket).WithObject(_prefix + name), cancellationToken);
            return true;
        }, cancellationToken);
    }

    public void Dispose()
    {
        _minio.Dispose();
        _http.Dispose();
    }

    private async Task<StoredBackup?> StatAsync(string name, CancellationToken cancellationToken)
    {
        ObjectStat stat;
        try
        {
            stat = await _minio.StatObjectAsync(new StatObjectArgs().WithBucket(_options.Bucket).WithObject(_prefix + name), cancellationToken);
        }
        catch (Exception ex) when (ex is ObjectNotFoundException || ErrorCode(ex) is "NoSuchKey" or "NotFound")
        {
            return null;
        }

        var sha256 = stat.MetaData?
            .FirstOrDefault(pair => pair.Key.Equals("sha256", StringComparison.OrdinalIgnoreCase)
                || pair.Key.Equals(S3Uploader.Sha256Metadata, StringComparison.OrdinalIgnoreCase))
            .Value;
        var modified = stat.LastModified.Kind == DateTimeKind.Unspecified
            ? new DateTimeOffset(stat.LastModified, TimeSpan.Zero)
            : new DateTimeOffset(stat.LastModified.ToUniversalTime(), TimeSpan.Zero);
        return new StoredBackup(name, stat.Size, modified, sha256?.ToLowerInvariant());
    }

    private async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        if (_bucketReady)
        {
            return;
        }

        if (!await _minio.BucketExistsAsync(new BucketExistsArgs().WithBucket(_options.Bucket), cancellationToken))
        {
            try
            {
                await _minio.MakeBucketAsync(new MakeBucketArgs().WithBucket(_options.Bucket).WithLocation(_options.Region), cancellationToken);
            }
            catch (Exception ex) when (ErrorCode(ex) is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
                // Created by another worker between the check and the create.
            }
        }

        _bucketReady = true;
    }

    private async Task RemoveQuietlyAsync(string name)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _minio.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(_options.Bucket).WithObject(_prefix + name), timeout.Token);
        }
        catch (Exception ex) when (ex is MinioException or HttpRequestException or OperationCanceledException)
        {
            // Verification already failed; that is the error worth reporting.
        }
    }

    private async Task<T> CallAsync<T>(string what, Func<Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action();
        }
        catch (BackupStoreException)
        {
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not (ArgumentException or ObjectDisposedException or OutOfMemoryException))
        {
            throw Translate(what, ex);
        }
    }

    private BackupStoreException Translate(string what, Exception ex)
    {
        if (Find<HttpRequestException>(ex) is { } http && http.StatusCode is null || Find<SocketException>(ex) is not null || ex is ConnectionException)
        {
            var reason = (Find<SocketException>(ex) ?? Find<HttpRequestException>(ex) ?? ex).Message;
            return new BackupStoreException(BackupStoreFailure.Unreachable,
                $"The S3 endpoint {_options.EndpointUrl} is unreachable ({reason}); could not {what}.", ex);
        }

        if (ex is TimeoutException or TaskCanceledException)
        {
            return new BackupStoreException(BackupStoreFailure.Unreachable,
                $"The S3 endpoint {_options.EndpointUrl} did not answer in time; could not {what}.", ex);
        }

        var status = (ex as MinioException)?.ServerResponse?.StatusCode;
        var code = ErrorCode(ex) ?? ex switch
        {
            AccessDeniedException or AuthorizationException or ForbiddenException => "AccessDenied",
            BucketNotFoundException => "NoSuchBucket",
            ObjectNotFoundException => "NoSuchKey",
            _ => null,
        };
        return S3ErrorResponse.From(status, code, code is null ? ex.Message : (ex as MinioException)?.Response?.Message, _options, what, ex);
    }

    private static string? ErrorCode(Exception ex) => ex is MinioException { Response.Code: { Length: > 0 } code } ? code : null;

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }
}
