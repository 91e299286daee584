using Bambuddy.Contracts;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Catalog;
using Bambuddy.Core.Installation;
using Bambuddy.Core.Jobs;
using Bambuddy.Core.Secrets;
using Bambuddy.Core.Storage;

namespace Bambuddy.ArchivePackager.Packaging;

/// <summary>
/// One backup job: the ZIP (DESIGN §3–§4), its catalog entry, the optional S3 copy, then retention of
/// our older backups of the same kind. A restart of the same job starts over from a clean temp folder.
/// </summary>
public sealed partial class BackupJobRunner(
    BambuddyInstallation installation,
    WorkerPaths paths,
    BackupCatalog catalog,
    SecretProtector secrets,
    IConfiguration configuration,
    ILogger<BackupJobRunner> logger)
{
    /// <summary>Safety backups before a restore keep their own, fixed retention (DESIGN §3).</summary>
    public const int SafetyBackupRetention = 3;

    private readonly TimeZoneInfo _zone = BackupTimeZone.From(configuration["TZ"]);

    public string DownloadsDirectory => Path.Combine(paths.StateDirectory, "downloads");

    public string OutputDirectory(CreateLocalBackup command) => command.Kind switch
    {
        JobKinds.DownloadBackup => DownloadsDirectory,
        _ when !string.IsNullOrWhiteSpace(command.OutputPath) => command.OutputPath,
        _ => Path.Combine(installation.DataDirectory, "backups"),
    };

    public async Task<LocalBackupCompleted> RunAsync(CreateLocalBackup command, IProgress<ArchiveProgress> progress, CancellationToken cancellationToken)
    {
        var tempDirectory = Path.Combine(paths.StateDirectory, "tmp", command.JobId.ToString("N"));
        DeleteQuietly(tempDirectory);
        if (!string.IsNullOrWhiteSpace(command.OutputPath) && command.Kind != JobKinds.DownloadBackup && !Directory.Exists(command.OutputPath))
        {
            // A configured folder (a NAS mount, say) that vanished is not re-created on the local disk underneath.
            throw new OutputPathMissingException(command.OutputPath);
        }

        RemoveStalePartials(OutputDirectory(command));
        try
        {
            var result = await new LocalBackupWriter().WriteAsync(installation, OutputDirectory(command), tempDirectory, _zone, progress, cancellationToken);
            LogWritten(command.JobId, result.FileName, result.Size);
            var warnings = new List<string>(result.Warnings);
            var locations = new List<string> { "local" };
            if (command.Kind == JobKinds.DownloadBackup)
            {
                return Completed(command, result, locations, warnings);
            }

            if (command.OffsiteCopy is { } s3 && await CopyOffsiteAsync(s3, result, warnings, cancellationToken))
            {
                locations.Add("s3");
            }

            await catalog.AddAsync(new CatalogEntry(result.FileName, command.Kind, command.JobId, result.Size, result.Sha256,
                DateTimeOffset.UtcNow, OutputDirectory(command), locations), cancellationToken);
            var keep = command.Kind == JobKinds.SafetyBackup ? SafetyBackupRetention : Math.Clamp(command.Retention, 1, 100);
            await ApplyRetentionAsync(command, keep, result.FileName, warnings, cancellationToken);
            return Completed(command, result, locations, warnings);
        }
        finally
        {
            DeleteQuietly(tempDirectory);
        }
    }

    private async Task<bool> CopyOffsiteAsync(S3Location s3, LocalBackupResult result, List<string> warnings, CancellationToken cancellationToken)
    {
        try
        {
            using var store = OpenS3(s3);
            await using var file = new FileStream(result.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
            await store.WriteAsync(result.FileName, file, result.Size, result.Sha256, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is BackupStoreException or System.Security.Cryptography.CryptographicException)
        {
            // The local backup stands; only the off-site copy failed, and the job says so plainly.
            warnings.Add($"The off-site S3 copy failed; the local backup is complete: {ex.Message}");
            LogOffsiteFailed(ex, result.FileName);
            return false;
        }
    }

    /// <summary>Deletes our oldest backups of this kind beyond <paramref name="keep"/>; never the one just made, never what is not ours.</summary>
    private async Task ApplyRetentionAsync(CreateLocalBackup command, int keep, string justMade, List<string> warnings, CancellationToken cancellationToken)
    {
        var ours = await catalog.ListByKindAsync(command.Kind, cancellationToken);
        foreach (var old in ours.Where(e => e.FileName != justMade).Skip(keep - 1))
        {
            try
            {
                if (old.Locations.Contains("local"))
                {
                    File.Delete(Path.Combine(old.OutputPath, old.FileName));
                    await catalog.RemoveLocationAsync(old.FileName, "local", cancellationToken);
                }

                if (old.Locations.Contains("s3") && command.OffsiteCopy is { } s3)
                {
                    using var store = OpenS3(s3);
                    await store.DeleteAsync(old.FileName, cancellationToken);
                    await catalog.RemoveLocationAsync(old.FileName, "s3", cancellationToken);
                }

                LogPruned(old.FileName);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BackupStoreException)
            {
                warnings.Add($"Retention could not delete {old.FileName}: {ex.Message}");
            }
        }
    }

    private S3BackupStore OpenS3(S3Location s3) => new(new S3StoreOptions
    {
        Endpoint = s3.Endpoint,
        Bucket = s3.Bucket,
        Prefix = s3.Prefix,
        Region = s3.Region,
        AccessKey = s3.AccessKey,
        SecretKey = secrets.Unprotect(s3.ProtectedSecretKey),
        UseTls = s3.UseTls,
    });

    private static LocalBackupCompleted Completed(CreateLocalBackup command, LocalBackupResult result, List<string> locations, List<string> warnings)
    {
        var message = warnings.Count == 0 ? "Backup created" : $"Backup created with {warnings.Count} warning(s): {string.Join(" ", warnings)}";
        return new LocalBackupCompleted(command.JobId, result.FileName, result.Size, result.Sha256, locations, message, DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// A packager killed mid-backup leaves its hidden <c>.partial</c> file behind (never listed). One not written
    /// to for <see cref="StalePartialAge"/> belongs to no running backup, whichever replica wrote it: remove it.
    /// </summary>
    private void RemoveStalePartials(string outputDirectory)
    {
        if (!Directory.Exists(outputDirectory))
        {
            return;
        }

        foreach (var file in new DirectoryInfo(outputDirectory).EnumerateFiles("." + BackupFileNaming.Prefix + "*" + BackupFileNaming.PartialSuffix))
        {
            if (DateTime.UtcNow - file.LastWriteTimeUtc > StalePartialAge)
            {
                try
                {
                    file.Delete();
                    LogStalePartialRemoved(file.Name);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static readonly TimeSpan StalePartialAge = TimeSpan.FromMinutes(10);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {FileName}, left by a backup that was killed")]
    private partial void LogStalePartialRemoved(string fileName);

    private static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} wrote {FileName} ({Size} bytes)")]
    private partial void LogWritten(Guid jobId, string fileName, long size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The off-site copy of {FileName} failed")]
    private partial void LogOffsiteFailed(Exception exception, string fileName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {FileName}")]
    private partial void LogPruned(string fileName);
}
