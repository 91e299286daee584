using System.Buffers;
using Bambuddy.Core.Installation;
using Bambuddy.Core.Jobs;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Bambuddy.Scheduler.Restores;

/// <summary>
/// Uploads to restore, streamed from the multipart body to <c>{state}/spool/upload-{jobId}.zip</c>
/// (never under <c>DATA_DIR</c>): memory stays flat whatever the size, the size limit is checked while
/// streaming, and a refused or broken upload leaves no file behind (DESIGN §7).
/// </summary>
public sealed partial class UploadSpool
{
    public const string FormField = "file";
    private const int CopyBufferSize = 256 * 1024;
    private const int MultipartBufferSize = 64 * 1024;

    // Multipart framing and any small fields around the file, on top of the file itself.
    private const long EnvelopeBytes = 1024 * 1024;

    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly IOptions<RestoreOptions> _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<UploadSpool> _logger;

    public UploadSpool(WorkerPaths paths, BambuddyInstallation installation, IOptions<RestoreOptions> options, TimeProvider clock, ILogger<UploadSpool> logger)
    {
        Folder = Path.Combine(Path.GetFullPath(paths.StateDirectory), "spool");
        var dataDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(installation.DataDirectory)) + Path.DirectorySeparatorChar;
        if ((Folder + Path.DirectorySeparatorChar).StartsWith(dataDirectory, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The spool folder {Folder} lies inside Bambuddy's data directory {dataDirectory}; set BACKUP_STATE_DIR outside it.");
        }

        (_options, _clock, _logger) = (options, clock, logger);
    }

    public string Folder { get; }

    public long MaxUploadBytes => _options.Value.MaxUploadBytes;

    public string PathOf(Guid jobId) => Path.Combine(Folder, $"upload-{jobId}.zip");

    /// <summary>
    /// Streams field <see cref="FormField"/> of a <c>multipart/form-data</c> request to <see cref="PathOf"/>.
    /// A client that goes away, or any other fault, removes the partial file and is rethrown.
    /// </summary>
    public async Task<SpooledUpload> ReceiveAsync(HttpRequest request, Guid jobId, CancellationToken cancellationToken)
    {
        var limit = MaxUploadBytes;
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limit > long.MaxValue - EnvelopeBytes ? null : limit + EnvelopeBytes;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary) is not { Length: > 0 and <= 200 } boundary)
        {
            return Refused(StatusCodes.Status400BadRequest, "Not a multipart upload",
                $"Upload the backup ZIP as multipart/form-data in the field '{FormField}'.");
        }

        var reader = new MultipartReader(boundary.ToString(), request.Body, MultipartBufferSize);
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    && disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    && HeaderUtilities.RemoveQuotes(disposition.Name).Equals(FormField, StringComparison.Ordinal))
                {
                    return await SpoolAsync(section.Body, jobId, limit, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ReadFailure(ex, cancellationToken) is { } failure)
        {
            return new SpooledUpload(null, 0, failure);
        }

        return Refused(StatusCodes.Status400BadRequest, "No file uploaded",
            $"The multipart body has no field '{FormField}'; send the backup ZIP in it.");
    }

    /// <summary>Removes the job's spooled upload, if it has one. True when a file was removed.</summary>
    public bool Delete(Guid jobId)
    {
        var path = PathOf(jobId);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        LogDeleted(jobId);
        return true;
    }

    /// <summary>
    /// Deletes spooled uploads older than <see cref="RestoreOptions.SpoolKeepFor"/> whose job has ended or
    /// does not exist (a crash mid-upload, a restore cancelled before it started). Returns how many.
    /// </summary>
    public async Task<int> SweepAsync(Func<Guid, CancellationToken, Task<bool>> jobIsActive, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Folder))
        {
            return 0;
        }

        var before = _clock.GetUtcNow().UtcDateTime - _options.Value.SpoolKeepFor;
        var deleted = 0;
        foreach (var file in new DirectoryInfo(Folder).EnumerateFiles("upload-*.zip"))
        {
            if (file.LastWriteTimeUtc >= before)
            {
                continue;
            }

            var id = Path.GetFileNameWithoutExtension(file.Name)["upload-".Length..];
            if (Guid.TryParse(id, out var jobId) && await jobIsActive(jobId, cancellationToken))
            {
                continue;
            }

            file.Delete();
            deleted++;
        }

        return deleted;
    }

    private async Task<SpooledUpload> SpoolAsync(Stream body, Guid jobId, long limit, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder, FolderMode);
        var path = PathOf(jobId);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        var kept = false;
        try
        {
            long total = 0;
            await using (var file = new FileStream(path, new FileStreamOptions
            {
                Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan, BufferSize = 0, UnixCreateMode = FileMode,
            }))
            {
                int read;
                while ((read = await body.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken)) > 0)
                {
                    total += read;
                    if (total > limit)
                    {
                        LogTooLarge(jobId, limit);
                        return Refused(StatusCodes.Status413PayloadTooLarge, "Upload too large", TooLargeReason(limit));
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                await file.FlushAsync(cancellationToken);
            }

            kept = true;
            LogSpooled(jobId, total);
            return new SpooledUpload(path, total, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!kept)
            {
                // A refused, cut-off or failed upload never stays on disk.
                File.Delete(path);
            }
        }
    }

    /// <summary>What a broken request body answers; null for faults of ours and a client that went away (rethrown).</summary>
    private UploadFailure? ReadFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        _ when cancellationToken.IsCancellationRequested => null,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new UploadFailure(StatusCodes.Status413PayloadTooLarge, "Upload too large", TooLargeReason(MaxUploadBytes)),
        BadHttpRequestException bad => new UploadFailure(bad.StatusCode, "The upload could not be read", bad.Message),
        InvalidDataException invalid => new UploadFailure(StatusCodes.Status400BadRequest, "Malformed multipart body", invalid.Message),
        IOException io when io.Message.StartsWith("Unexpected end of", StringComparison.Ordinal) =>
            new UploadFailure(StatusCodes.Status400BadRequest, "The upload was cut off", "The multipart body ended before its closing boundary."),
        _ => null,
    };

    private static string TooLargeReason(long limit)
        => $"The upload is larger than the limit of {limit} bytes (Restore:MaxUploadBytes); nothing was kept.";

    private static SpooledUpload Refused(int status, string title, string reason) => new(null, 0, new UploadFailure(status, title, reason));

    [LoggerMessage(Level = LogLevel.Information, Message = "Spooled the upload of restore job {JobId}: {Bytes} bytes")]
    private partial void LogSpooled(Guid jobId, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused the upload of restore job {JobId}: over {Limit} bytes")]
    private partial void LogTooLarge(Guid jobId, long limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted the spooled upload of job {JobId}")]
    private partial void LogDeleted(Guid jobId);
}
