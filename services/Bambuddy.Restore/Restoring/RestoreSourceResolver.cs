using System.Security.Cryptography;
using Bambuddy.Contracts;
using Bambuddy.Core.Catalog;
using Bambuddy.Core.Installation;
using Bambuddy.Core.Jobs;
using Bambuddy.Core.Secrets;
using Bambuddy.Core.Storage;

namespace Bambuddy.Restore.Restoring;

/// <summary>The backup ZIP a restore reads, as a local file; a copy fetched from S3 is deleted when disposed.</summary>
public sealed class RestoreSource(string path, string description, bool owned) : IAsyncDisposable
{
    public string Path { get; } = path;

    public string Description { get; } = description;

    public long Size { get; } = new FileInfo(path).Length;

    public ValueTask DisposeAsync()
    {
        if (owned)
        {
            File.Delete(Path);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Finds a restore's ZIP: an upload spooled by the scheduler (only inside the state directory's spool
/// folder), or a stored backup by name — its local copy where the catalog says it is, else the S3
/// copy fetched into the spool folder and checked against the catalog's SHA-256.
/// </summary>
public sealed class RestoreSourceResolver(BambuddyInstallation installation, WorkerPaths paths, BackupCatalog catalog, SecretProtector secrets)
{
    public string SpoolDirectory => System.IO.Path.Combine(paths.StateDirectory, "spool");

    public async Task<RestoreSource> OpenAsync(RestoreBackup command, CancellationToken cancellationToken)
    {
        if (command.SourceKind == "upload")
        {
            var full = System.IO.Path.GetFullPath(command.Source);
            var spool = System.IO.Path.GetFullPath(SpoolDirectory) + System.IO.Path.DirectorySeparatorChar;
            if (!full.StartsWith(spool, StringComparison.Ordinal) || !File.Exists(full))
            {
                throw new RestoreFailure(RestoreSteps.Source, "The uploaded file is gone from the spool folder; upload it again.", refused: false);
            }

            return new RestoreSource(full, "the uploaded backup", owned: false);
        }

        if (!BackupName.IsValid(command.Source))
        {
            throw new RestoreFailure(RestoreSteps.Source, $"'{command.Source}' is not a backup name.", refused: true);
        }

        var entry = await catalog.GetAsync(command.Source, cancellationToken);
        foreach (var folder in new[] { entry?.OutputPath, command.OutputPath, System.IO.Path.Combine(installation.DataDirectory, "backups") })
        {
            if (!string.IsNullOrWhiteSpace(folder) && File.Exists(System.IO.Path.Combine(folder, command.Source)))
            {
                return new RestoreSource(System.IO.Path.Combine(folder, command.Source), command.Source, owned: false);
            }
        }

        if (command.StoredCopy is { } s3)
        {
            return await FetchFromS3Async(command, s3, entry?.Sha256, cancellationToken);
        }

        throw new RestoreFailure(RestoreSteps.Source, $"The backup {command.Source} is gone: no local copy and no S3 copy.", refused: false);
    }

    private async Task<RestoreSource> FetchFromS3Async(RestoreBackup command, S3Location s3, string? expectedSha256, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(SpoolDirectory);
        var path = System.IO.Path.Combine(SpoolDirectory, $"restore-{command.JobId:N}.zip");
        try
        {
            using var store = new S3BackupStore(new S3StoreOptions
            {
                Endpoint = s3.Endpoint, Bucket = s3.Bucket, Prefix = s3.Prefix, Region = s3.Region,
                AccessKey = s3.AccessKey, SecretKey = secrets.Unprotect(s3.ProtectedSecretKey), UseTls = s3.UseTls,
            });
            await using (var input = await store.OpenReadAsync(command.Source, cancellationToken))
            await using (var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[1 << 20];
                int read;
                while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (expectedSha256 is not null && !string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new RestoreFailure(RestoreSteps.Source, $"The S3 copy of {command.Source} does not match its SHA-256; it is damaged.", refused: true);
                }
            }

            return new RestoreSource(path, $"{command.Source} (S3 copy)", owned: true);
        }
        catch (Exception ex) when (ex is BackupStoreException or HttpRequestException or IOException)
        {
            File.Delete(path);
            throw new RestoreFailure(RestoreSteps.Source, $"The S3 copy of {command.Source} could not be fetched: {ex.Message}", refused: false);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }
}
