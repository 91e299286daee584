using Bambuddy.Core.Installation;

namespace Bambuddy.Core.Archive;

/// <summary>
/// Makes a full backup ZIP of an installation in a folder (DESIGN §3, §4): snapshot the database into
/// the temp folder, count the data files, check free space, stream the ZIP under a hidden temporary name
/// while walking the data files again, fsync, rename into place. On failure or cancellation nothing is
/// left behind but what was there.
/// </summary>
public sealed class LocalBackupWriter(LocalBackupOptions? options = null)
{
    private readonly LocalBackupOptions _options = options ?? new LocalBackupOptions();

    /// <exception cref="InsufficientSpaceException">The output or temp folder has too little free space.</exception>
    /// <exception cref="BackupSourceChangedException">A data file changed size while it was read.</exception>
    public async Task<LocalBackupResult> WriteAsync(
        BambuddyInstallation installation,
        string outputDirectory,
        string tempDirectory,
        TimeZoneInfo zone,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        Directory.CreateDirectory(tempDirectory);
        var createdAt = _options.Clock.GetUtcNow();
        var extra = _options.ExtraFreeSpaceBytes;

        // The name is the start time, as Bambuddy names its backups; reserving it first keeps it.
        await using var partial = await PartialBackupFile.CreateAsync(outputDirectory, zone, _options.Clock, cancellationToken);

        var estimate = await DatabaseSnapshot.EstimateSizeAsync(installation, cancellationToken);
        BackupSpaceCheck.Ensure([(tempDirectory, estimate + BackupSpaceCheck.Margin(estimate, 1) + extra)]);

        using var snapshot = await DatabaseSnapshot.CreateAsync(installation, tempDirectory, progress, cancellationToken);

        // Two walks of the data folders, so no list of every file is ever held: one counts (for progress and
        // the space check), the other streams into the ZIP. A file that appears in between is simply included.
        new ProgressThrottle(progress).Report(ArchivePhase.Planning, 0, 0, 0, 0, force: true);
        var warnings = new List<string>(snapshot.Warnings);
        var (dataBytes, dataEntries, nameChars) = (0L, 0, 0L);
        foreach (var entry in DataEntries(installation.DataDirectory, outputDirectory, tempDirectory, warnings.Add, cancellationToken))
        {
            dataBytes += entry.Size;
            dataEntries++;
            nameChars += entry.Name.Length;
        }

        var content = dataBytes + snapshot.Size;
        BackupSpaceCheck.Ensure(
        [
            (outputDirectory, content + BackupSpaceCheck.Margin(content, dataEntries + 2) + extra),
            (tempDirectory, BackupSpaceCheck.SpillBytes(dataEntries + 2, nameChars)),
        ]);

        var zip = await BackupZipWriter.WriteAsync(
            partial.Stream,
            snapshot.ToEntry(),
            DataEntries(installation.DataDirectory, outputDirectory, tempDirectory, onWarning: null, cancellationToken),
            new BackupManifestInfo(createdAt, snapshot.SourceName, snapshot.SchemaFingerprint),
            progress,
            new BackupZipOptions { TempDirectory = tempDirectory, DataTotals = (dataBytes, dataEntries) },
            cancellationToken);

        new ProgressThrottle(progress).Report(ArchivePhase.Publishing, zip.Size, zip.Size, zip.EntryCount, zip.EntryCount, force: true);
        await partial.PublishAsync(cancellationToken);
        new ProgressThrottle(progress).Report(ArchivePhase.Completed, zip.Size, zip.Size, zip.EntryCount, zip.EntryCount, force: true);

        return new LocalBackupResult(
            partial.FileName,
            partial.FinalPath,
            zip.Size,
            zip.Sha256,
            zip.EntryCount,
            snapshot.TableRowCounts,
            warnings);
    }

    /// <summary>
    /// The data folders' files, walked afresh on each enumeration, but for an output or temp folder inside
    /// a data folder: it would put the backup, or its snapshot, into itself.
    /// </summary>
    private static IEnumerable<BackupEntry> DataEntries(
        string dataDirectory,
        string outputDirectory,
        string tempDirectory,
        Action<string>? onWarning,
        CancellationToken cancellationToken)
    {
        var own = new[] { outputDirectory, tempDirectory }
            .Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)) + Path.DirectorySeparatorChar)
            .ToArray();
        var root = Path.GetFullPath(dataDirectory);
        foreach (var entry in BackupEntryPlanner.Enumerate(dataDirectory, onWarning, cancellationToken))
        {
            var path = Path.Combine(root, entry.Name);
            var folder = own.FirstOrDefault(f => path.StartsWith(f, StringComparison.Ordinal));
            if (folder is null)
            {
                yield return entry;
            }
            else
            {
                onWarning?.Invoke($"Skipped '{entry.Name}': it is in the backup's own output or temp folder '{folder}'.");
            }
        }
    }
}
