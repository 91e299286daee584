using System.Buffers;
using System.Security.Cryptography;
using Bambuddy.Core.Archive;

namespace Bambuddy.Core.Storage;

/// <summary>
/// Backups in a folder on local disk or a NAS mount (DESIGN §3), created when missing. A write goes to a hidden
/// <c>.&lt;name&gt;.&lt;random&gt;.partial</c> file, is fsynced and verified, then renamed into place and the folder fsynced,
/// so a listing never shows a partial backup and a crash leaves at most a hidden temporary file.
/// </summary>
public sealed class DirectoryBackupStore : IBackupStore
{
    private const int BufferSize = 1 << 16;

    private readonly string _folder;

    public DirectoryBackupStore(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        _folder = Path.GetFullPath(folder);
    }

    public string Location => "local";

    public string Folder => _folder;

    public Task<IReadOnlyList<StoredBackup>> ListAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Run<IReadOnlyList<StoredBackup>>(() =>
        {
            Directory.CreateDirectory(_folder);
            return new DirectoryInfo(_folder)
                .EnumerateFiles("bambuddy-backup-*.zip", SearchOption.TopDirectoryOnly)
                // A symbolic link could make a download read a file outside the folder: only real files count.
                .Where(file => BackupName.IsValid(file.Name) && (file.Attributes & FileAttributes.ReparsePoint) == 0)
                .Select(ToStoredBackup)
                .OrderBy(backup => backup.Name, StringComparer.Ordinal)
                .ToList();
        });
    }

    public Task<StoredBackup?> GetAsync(string name, CancellationToken cancellationToken)
    {
        BackupName.Validate(name);
        cancellationToken.ThrowIfCancellationRequested();
        return Run(() =>
        {
            var file = new FileInfo(PathOf(name));
            return file.Exists ? ToStoredBackup(file) : null;
        });
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

        cancellationToken.ThrowIfCancellationRequested();
        return Run<Stream>(() =>
        {
            var stream = new FileStream(PathOf(name), new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                BufferSize = BufferSize,
            });
            if (offset > 0 && offset >= stream.Length)
            {
                var size = stream.Length;
                stream.Dispose();
                throw new BackupStoreException(BackupStoreFailure.InvalidRange,
                    $"The range starting at byte {offset} lies outside '{name}' ({size} bytes).");
            }

            stream.Position = offset;
            var available = stream.Length - offset;
            return new BoundedReadStream(stream, length is { } limit ? Math.Min(limit, available) : available);
        }, name);
    }

    public async Task<StoredBackup> WriteAsync(string name, Stream content, long? size, string sha256, CancellationToken cancellationToken)
    {
        BackupName.Validate(name);
        ArgumentNullException.ThrowIfNull(content);
        var expectedHash = BackupName.NormalizeSha256(sha256);
        if (size is { } expectedSize)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(expectedSize, nameof(size));
        }

        var finalPath = PathOf(name);
        var partialPath = Path.Combine(_folder, $".{name}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}.partial");
        try
        {
            Directory.CreateDirectory(_folder);
            if (File.Exists(finalPath))
            {
                throw AlreadyExists(name);
            }

            var (written, actualHash) = await CopyToPartialAsync(content, partialPath, cancellationToken);
            if (size is { } expected && written != expected)
            {
                throw new BackupStoreException(BackupStoreFailure.VerificationFailed,
                    $"'{name}' was not stored: {written} bytes were written where {expected} were expected.");
            }

            if (actualHash != expectedHash)
            {
                throw new BackupStoreException(BackupStoreFailure.VerificationFailed,
                    $"'{name}' was not stored: its SHA-256 is {actualHash} where {expectedHash} was expected.");
            }

            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                File.Move(partialPath, finalPath, overwrite: false);
            }
            catch (IOException) when (File.Exists(finalPath))
            {
                throw AlreadyExists(name);
            }

            DirectorySync.Flush(_folder);
            var file = new FileInfo(finalPath);
            return new StoredBackup(name, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero), actualHash);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BackupStoreException(BackupStoreFailure.Other, $"'{name}' could not be written to {_folder}: {ex.Message}", ex);
        }
        finally
        {
            TryDelete(partialPath);
        }
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        BackupName.Validate(name);
        cancellationToken.ThrowIfCancellationRequested();
        return Run(() =>
        {
            var path = PathOf(name);
            if (!File.Exists(path))
            {
                return false;
            }

            File.Delete(path);
            DirectorySync.Flush(_folder);
            return true;
        }, name);
    }

    private static async Task<(long Written, string Sha256)> CopyToPartialAsync(Stream content, string partialPath, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long written = 0;
        try
        {
            await using var file = new FileStream(partialPath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
                BufferSize = 0,
            });
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                written += read;
            }

            file.Flush(flushToDisk: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (written, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private string PathOf(string name) => Path.Combine(_folder, name);

    private static StoredBackup ToStoredBackup(FileInfo file) =>
        new(file.Name, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero), null);

    private static BackupStoreException AlreadyExists(string name) =>
        new(BackupStoreFailure.AlreadyExists, $"A backup named '{name}' already exists; backups are never overwritten.");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover hidden .partial file is never listed; the next cleanup removes it.
        }
    }

    private Task<T> Run<T>(Func<T> action, string? name = null)
    {
        try
        {
            return Task.FromResult(action());
        }
        catch (FileNotFoundException ex) when (name is not null)
        {
            throw new BackupStoreException(BackupStoreFailure.NotFound, $"There is no backup named '{name}' in {_folder}.", ex);
        }
        catch (DirectoryNotFoundException ex) when (name is not null)
        {
            throw new BackupStoreException(BackupStoreFailure.NotFound, $"There is no backup named '{name}' in {_folder}.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new BackupStoreException(BackupStoreFailure.AccessDenied, $"Access to {_folder} was denied: {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new BackupStoreException(BackupStoreFailure.Other, $"The backup folder {_folder} could not be read: {ex.Message}", ex);
        }
    }
}
