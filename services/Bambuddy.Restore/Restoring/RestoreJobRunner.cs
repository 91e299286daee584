using Bambuddy.Contracts;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Installation;
using Bambuddy.Core.Jobs;
using Bambuddy.Core.Restore;
using Bambuddy.Core.Restore.Database;
using Bambuddy.Core.Restore.Zip;

namespace Bambuddy.Restore.Restoring;

/// <summary>What a finished restore says.</summary>
public sealed record RestoreOutcome(string Message, IReadOnlyList<string> Warnings);

/// <summary>What replaying a journal did: rolled back (nothing changed), rolled forward (<paramref name="Completed"/>), or failed to roll forward and undid the commit.</summary>
public sealed record ReplayedRestore(Guid JobId, bool RolledForward, RestoreOutcome? Completed, RestoreFailure? Failed);

/// <summary>
/// One restore job, step by step as DESIGN §5 says: validate (ZIP structure, the database, every
/// entry's CRC and the manifest, while extracting into staging on the installation's file system),
/// schema check, safety backup, database loaded aside, then the commit — database, MFA key, data
/// folders — under the intent journal. Until the commit starts, a failure removes staging and the
/// loaded database and the installation is untouched; during the commit, a failure undoes each step
/// done, and a crash is rolled forward by <see cref="RestoreRecovery"/>.
/// </summary>
public sealed partial class RestoreJobRunner(
    BambuddyInstallation installation,
    WorkerPaths paths,
    RestoreSourceResolver sources,
    ISafetyBackups safetyBackups,
    RestoreOptions options,
    IRestoreCheckpoints checkpoints,
    ILogger<RestoreJobRunner> logger)
{
    public Func<BambuddyInstallation, IRestoreTarget> TargetFactory { get; init; } = RestoreTargets.For;

    public Func<string, bool> IsMountPoint { get; init; } = MountPoints.IsMountPoint;

    public async Task<RestoreOutcome> RunAsync(RestoreBackup command, IProgress<RestoreProgress> progress, CancellationToken cancellationToken)
    {
        if (RestoreJournal.Load(paths.StateDirectory) is { } pending)
        {
            throw new RestoreFailure(RestoreSteps.Recovery,
                $"An earlier restore (job {pending.JobId}) has not been recovered yet; restart the restore worker and try again.", refused: false);
        }

        var warnings = new List<string>();
        await using var source = await sources.OpenAsync(command, cancellationToken);
        progress.Report(new RestoreProgress(RestorePhases.Validating, 0, source.Size, 0, 0));

        using var zip = OpenZip(source.Path);
        EnsureSpace(zip);

        var target = TargetFactory(installation);
        var workspaceRoot = Path.Combine(installation.DataDirectory, DataSwap.StagingPrefix + command.JobId.ToString("N"));
        var journal = new RestoreJournal
        {
            JobId = command.JobId,
            DataDirectory = installation.DataDirectory,
            Backend = installation.Backend,
            WorkspaceRoot = workspaceRoot,
            DatabaseWorkDirectory = Path.Combine(workspaceRoot, "database"),
            Folders = DataSwap.Plan(installation.DataDirectory, workspaceRoot, command.JobId, IsMountPoint),
        };

        // A redelivered job starts over from a clean slate.
        await DiscardAsync(target, journal);
        Directory.CreateDirectory(journal.DatabaseWorkDirectory);
        journal.Save(paths.StateDirectory);
        try
        {
            var report = await ValidateDatabaseAsync(zip, journal, command, warnings, cancellationToken);
            await CheckSchemaAsync(target, journal, command, warnings, cancellationToken);
            await CheckSessionsAsync(target, command, cancellationToken);
            await ExtractAsync(zip, journal, warnings, progress, cancellationToken);

            progress.Report(new RestoreProgress(RestorePhases.SafetyBackup, 0, 0, 0, 0));
            var safety = await safetyBackups.TakeAsync(command, cancellationToken);
            warnings.Add($"Safety backup of the installation as it was: {safety}.");

            progress.Report(new RestoreProgress(RestorePhases.LoadingDatabase, 0, 0, 0, (int)Math.Min(report.Rows, int.MaxValue)));
            await checkpoints.ReachedAsync(command.JobId, Checkpoints.DatabaseLoading, cancellationToken);
            var rows = new DatabaseProgress(progress, report.Rows);
            await RunStepAsync(RestoreSteps.Database, () => target.PrepareAsync(command.JobId, BackupDatabasePath(journal), journal.DatabaseWorkDirectory, rows, cancellationToken));
            await checkpoints.ReachedAsync(command.JobId, Checkpoints.DatabaseLoaded, cancellationToken);

            // Everything staged must be on disk before the journal says the commit has begun.
            foreach (var root in journal.Folders.Select(DataSwap.ExtractionRoot).Append(workspaceRoot).Distinct())
            {
                if (Directory.Exists(root))
                {
                    FileSystemSync.SyncFileSystem(root);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            journal.Warnings.AddRange(warnings);
            journal.Phase = RestorePhase.Committing;
            journal.Save(paths.StateDirectory);
        }
        catch (Exception ex) when (!checkpoints.IsSimulatedCrash(ex))
        {
            await DiscardAsync(target, journal);
            throw;
        }

        await CommitAsync(target, journal, command.Force, progress, cancellationToken: CancellationToken.None);
        LogRestored(command.JobId, source.Description);
        return new RestoreOutcome(
            $"Restored from {source.Description}. Restart Bambuddy so it loads the restored database and files.",
            journal.Warnings);
    }

    /// <summary>
    /// Replays the journal a crashed restore left, if any: before the commit began it is rolled back (and
    /// the job may start over); once it began, rolled forward. Null when there was nothing to replay.
    /// </summary>
    /// <exception cref="InvalidOperationException">The journal belongs to another installation; it is left in place.</exception>
    public async Task<ReplayedRestore?> ReplayJournalAsync(CancellationToken cancellationToken)
    {
        if (RestoreJournal.Load(paths.StateDirectory) is not { } journal)
        {
            return null;
        }

        if (!string.Equals(Path.GetFullPath(journal.DataDirectory), Path.GetFullPath(installation.DataDirectory), StringComparison.Ordinal)
            || journal.Backend != installation.Backend)
        {
            throw new InvalidOperationException(
                $"The restore journal is for the installation at '{journal.DataDirectory}' ({journal.Backend}), not this one; it was left in place.");
        }

        var target = TargetFactory(installation);
        if (journal.Phase == RestorePhase.Preparing)
        {
            LogRollingBack(journal.JobId);
            await DiscardAsync(target, journal);
            return new ReplayedRestore(journal.JobId, RolledForward: false, null, null);
        }

        LogRollingForward(journal.JobId);
        try
        {
            await CommitAsync(target, journal, force: true, progress: null, cancellationToken);
            return new ReplayedRestore(journal.JobId, RolledForward: true,
                new RestoreOutcome("Restored (finished after the restore worker restarted). Restart Bambuddy so it loads the restored database and files.", journal.Warnings),
                null);
        }
        catch (RestoreFailure failure)
        {
            return new ReplayedRestore(journal.JobId, RolledForward: false, null, failure);
        }
    }

    /// <summary>
    /// The commit, also the roll-forward of a crashed one: database, MFA key, then each folder, each
    /// step recorded. A failure undoes what was done, in reverse, and reports the step; nothing can
    /// cancel it once begun (a half-swapped installation is worse than a late one).
    /// </summary>
    public async Task CommitAsync(IRestoreTarget target, RestoreJournal journal, bool force, IProgress<RestoreProgress>? progress, CancellationToken cancellationToken)
    {
        void Save() => journal.Save(paths.StateDirectory);
        var step = RestoreSteps.Database;
        try
        {
            progress?.Report(new RestoreProgress(RestorePhases.Swapping, 0, 0, 0, journal.Folders.Count));
            if (!journal.DatabaseCommitted)
            {
                await target.CommitAsync(journal.JobId, journal.DatabaseWorkDirectory, force, cancellationToken);
                journal.DatabaseCommitted = true;
                Save();
            }

            await checkpoints.ReachedAsync(journal.JobId, Checkpoints.DatabaseCommitted, cancellationToken);
            step = RestoreSteps.Files;
            DataSwap.ApplyMfaKey(journal, Save);
            for (var i = 0; i < journal.Folders.Count; i++)
            {
                DataSwap.Apply(journal.Folders[i], Save);
                progress?.Report(new RestoreProgress(RestorePhases.Swapping, 0, 0, i + 1, journal.Folders.Count));
                await checkpoints.ReachedAsync(journal.JobId, Checkpoints.FolderSwapped, cancellationToken);
            }

            await checkpoints.ReachedAsync(journal.JobId, Checkpoints.Swapped, cancellationToken);
        }
        catch (Exception ex) when (!checkpoints.IsSimulatedCrash(ex))
        {
            LogCommitFailed(ex, journal.JobId, step);
            await RevertAsync(target, journal);
            await DiscardAsync(target, journal);
            throw new RestoreFailure(step, $"{Describe(ex)} Nothing was changed: the installation is as it was before the restore.", refused: false);
        }

        progress?.Report(new RestoreProgress(RestorePhases.CleaningUp, 0, 0, journal.Folders.Count, journal.Folders.Count));
        await DiscardAsync(target, journal);
    }

    /// <summary>Undoes a commit from wherever it stopped: folders in reverse, the key, then the database.</summary>
    public async Task RevertAsync(IRestoreTarget target, RestoreJournal journal)
    {
        void Save() => journal.Save(paths.StateDirectory);
        for (var i = journal.Folders.Count - 1; i >= 0; i--)
        {
            DataSwap.Revert(journal.Folders[i], Save);
        }

        DataSwap.RevertMfaKey(journal, Save);
        if (journal.DatabaseCommitted)
        {
            await target.RevertAsync(journal.JobId, journal.DatabaseWorkDirectory, CancellationToken.None);
            journal.DatabaseCommitted = false;
            Save();
        }
    }

    /// <summary>Removes staging, the database's leftovers (the loaded copy, or the old one after a commit) and the journal.</summary>
    public async Task DiscardAsync(IRestoreTarget target, RestoreJournal journal)
    {
        try
        {
            await target.DiscardAsync(journal.JobId, journal.DatabaseWorkDirectory, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogDiscardFailed(ex, journal.JobId);
        }

        DataSwap.RemoveStaging(journal);
        RestoreJournal.Delete(paths.StateDirectory);
    }

    private BackupZip OpenZip(string path)
    {
        try
        {
            return BackupZip.Open(path, options.Limits);
        }
        catch (BackupRefusedException ex)
        {
            throw new RestoreFailure(RestoreSteps.Validate, ex.Message, refused: true);
        }
    }

    private void EnsureSpace(BackupZip zip)
    {
        // Staging holds the extracted files and the database (twice for SQLite: the merged copy and the previous one).
        var needed = zip.TotalUncompressedBytes + (zip.Database?.UncompressedSize ?? 0) * 2 + options.FreeSpaceMarginBytes;
        var available = new DriveInfo(installation.DataDirectory).AvailableFreeSpace;
        if (needed > available)
        {
            throw new RestoreFailure(RestoreSteps.Validate,
                $"Not enough free space next to the installation: the restore needs {Bytes(needed)} in '{installation.DataDirectory}', {Bytes(available)} are free. Nothing was changed.",
                refused: true);
        }
    }

    private static string BackupDatabasePath(RestoreJournal journal) => Path.Combine(journal.DatabaseWorkDirectory, "backup.db");

    private async Task<BackupDatabaseReport> ValidateDatabaseAsync(BackupZip zip, RestoreJournal journal, RestoreBackup command, List<string> warnings, CancellationToken cancellationToken)
    {
        var database = zip.Database ?? throw new RestoreFailure(RestoreSteps.Validate, "The ZIP has no top-level bambuddy.db; it is not a Bambuddy backup.", refused: true);
        var manifest = await ReadManifestAsync(zip, journal, cancellationToken);
        try
        {
            var sha256 = await zip.ExtractToFileAsync(database, BackupDatabasePath(journal), cancellationToken);
            if (manifest?.Entries.FirstOrDefault(e => e.Path == BackupZipWriter.DatabaseEntryName) is { } expected
                && !string.Equals(expected.Sha256, sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new RestoreFailure(RestoreSteps.Validate, "bambuddy.db does not match the SHA-256 in backup-manifest.json; the backup is damaged.", refused: true);
            }

            var report = await BackupDatabaseInspector.InspectAsync(BackupDatabasePath(journal), manifest?.SourceBackend, cancellationToken);
            warnings.AddRange(report.Warnings);
            if (report.OrphanCount > 0)
            {
                var list = string.Join("; ", report.Orphans);
                if (!command.AllowOrphans)
                {
                    throw new RestoreFailure(RestoreSteps.Orphans,
                        $"The backup's database has {report.OrphanCount} row(s) whose foreign key points at nothing: {list}. Restore with allow_orphans=true to restore them anyway.",
                        refused: true);
                }

                warnings.Add($"Restored with {report.OrphanCount} orphaned row(s) (allow_orphans): {list}");
            }

            return report;
        }
        catch (BackupRefusedException ex)
        {
            throw new RestoreFailure(RestoreSteps.Validate, ex.Message, refused: true);
        }
        catch (DatabaseRefusedException ex)
        {
            throw new RestoreFailure(ex.Step, ex.Message, refused: true);
        }
    }

    private static async Task<BackupManifest?> ReadManifestAsync(BackupZip zip, RestoreJournal journal, CancellationToken cancellationToken)
    {
        var entry = zip.Entries.FirstOrDefault(e => e.Name == BackupManifest.FileName);
        if (entry is null)
        {
            return null;
        }

        if (entry.UncompressedSize > 64L << 20)
        {
            throw new RestoreFailure(RestoreSteps.Validate, "backup-manifest.json is larger than 64 MiB; it is not one of ours.", refused: true);
        }

        var path = Path.Combine(journal.DatabaseWorkDirectory, "manifest.json");
        try
        {
            await zip.ExtractToFileAsync(entry, path, cancellationToken);
            await using var stream = File.OpenRead(path);
            return BackupManifest.Parse(stream);
        }
        catch (BackupRefusedException ex)
        {
            throw new RestoreFailure(RestoreSteps.Validate, ex.Message, refused: true);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new RestoreFailure(RestoreSteps.Validate, $"backup-manifest.json is not a valid manifest: {ex.Message}", refused: true);
        }
    }

    private async Task CheckSchemaAsync(IRestoreTarget target, RestoreJournal journal, RestoreBackup command, List<string> warnings, CancellationToken cancellationToken)
    {
        SchemaCheck check;
        try
        {
            check = await target.CheckSchemaAsync(BackupDatabasePath(journal), cancellationToken);
        }
        catch (DatabaseRefusedException ex)
        {
            throw new RestoreFailure(ex.Step, ex.Message, refused: true);
        }

        if (check.Refusals.Count > 0)
        {
            throw new RestoreFailure(RestoreSteps.Schema,
                $"The installation's database needs values the backup does not have (NOT NULL without a default): {string.Join(", ", check.Refusals)}.",
                refused: true);
        }

        if (check.Lost.Count > 0)
        {
            var lost = string.Join(", ", check.Lost);
            if (!command.AllowSchemaLoss)
            {
                throw new RestoreFailure(RestoreSteps.Schema,
                    $"The installation's database lacks what the backup has, so it would be lost: {lost}. Restore with allow_schema_loss=true to restore without it.",
                    refused: true);
            }

            warnings.Add($"Not restored (the installation's database has no place for them; allow_schema_loss): {lost}.");
        }

        if (check.Defaulted.Count > 0)
        {
            warnings.Add($"Columns the backup lacks took their defaults: {string.Join(", ", check.Defaulted)}.");
        }
    }

    private static async Task CheckSessionsAsync(IRestoreTarget target, RestoreBackup command, CancellationToken cancellationToken)
    {
        var sessions = await target.OtherSessionsAsync(cancellationToken);
        if (sessions.Count > 0 && !command.Force)
        {
            throw new RestoreFailure(RestoreSteps.Sessions,
                $"Other sessions are using the database ({string.Join("; ", sessions)}). Stop Bambuddy first, or restore with force=true to end them.",
                refused: true);
        }
    }

    private static async Task ExtractAsync(BackupZip zip, RestoreJournal journal, List<string> warnings, IProgress<RestoreProgress> progress, CancellationToken cancellationToken)
    {
        var folders = journal.Folders.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var total = zip.Entries.Where(e => Selects(e, folders)).Sum(e => e.UncompressedSize);
        var totalEntries = zip.Entries.Count(e => Selects(e, folders));
        long bytesBefore = 0;
        var entriesBefore = 0;
        try
        {
            // One pass per staging root: the workspace, plus one inside each mount point.
            foreach (var group in journal.Folders.GroupBy(DataSwap.ExtractionRoot))
            {
                var names = group.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
                var isWorkspace = group.Key == Path.Combine(journal.WorkspaceRoot, "new");
                Directory.CreateDirectory(group.Key);
                var (b, n) = (bytesBefore, entriesBefore);
                var result = await zip.ExtractAllAsync(group.Key,
                    e => names.Contains(TopLevel(e.Name)) || (isWorkspace && e.Name == BackupEntryPlanner.MfaKeyFileName),
                    new Progress(p => progress.Report(new RestoreProgress(RestorePhases.Extracting, b + p.BytesDone, total, n + p.EntriesDone, totalEntries))),
                    cancellationToken);
                bytesBefore += result.Bytes;
                entriesBefore += result.Entries;
                foreach (var warning in result.Warnings.Where(w => !warnings.Contains(w)))
                {
                    warnings.Add(warning);
                }
            }

            if (!Directory.Exists(Path.Combine(journal.WorkspaceRoot, "new")))
            {
                Directory.CreateDirectory(Path.Combine(journal.WorkspaceRoot, "new"));
            }

            // Entries we do not restore (Bambuddy ignores unknown top-level names) must still pass their CRC.
            foreach (var entry in zip.Entries.Where(e => !Selects(e, folders) && e.Name != BackupZipWriter.DatabaseEntryName && e.Name != BackupManifest.FileName))
            {
                await zip.VerifyAsync(entry, cancellationToken);
            }
        }
        catch (BackupRefusedException ex)
        {
            throw new RestoreFailure(RestoreSteps.Validate, ex.Message, refused: true);
        }

        progress.Report(new RestoreProgress(RestorePhases.Extracting, bytesBefore, total, entriesBefore, totalEntries));
    }

    private static bool Selects(BackupZipEntry entry, Dictionary<string, FolderSwap> folders) =>
        folders.ContainsKey(TopLevel(entry.Name)) || entry.Name == BackupEntryPlanner.MfaKeyFileName;

    private static string TopLevel(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? "" : name[..slash];
    }

    private static async Task RunStepAsync(string step, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (DatabaseRefusedException ex)
        {
            throw new RestoreFailure(ex.Step, ex.Message, refused: true);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new RestoreFailure(step, $"{Describe(ex)} Nothing was changed.", refused: false);
        }
    }

    private static string Describe(Exception ex) => ex switch
    {
        Npgsql.PostgresException pg => $"PostgreSQL refused: {pg.MessageText} ({pg.SqlState}).",
        IOException io when io.HResult == 28 || io.Message.Contains("No space left", StringComparison.Ordinal) => "The disk is full.",
        _ => ex.Message.EndsWith('.') ? ex.Message : ex.Message + ".",
    };

    private static string Bytes(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.0} GiB" : $"{bytes / (double)(1L << 20):0.0} MiB";

    private sealed class Progress(Action<ExtractionProgress> report) : IProgress<ExtractionProgress>
    {
        public void Report(ExtractionProgress value) => report(value);
    }

    private sealed class DatabaseProgress(IProgress<RestoreProgress> progress, long rowsTotal) : IProgress<DatabaseRestoreProgress>
    {
        private long _done;

        public void Report(DatabaseRestoreProgress value)
        {
            _done = value.RowsDone;
            progress.Report(new RestoreProgress(RestorePhases.LoadingDatabase, 0, 0, (int)Math.Min(_done, int.MaxValue), (int)Math.Min(rowsTotal, int.MaxValue)));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restore {JobId} was interrupted before its commit; rolling it back")]
    private partial void LogRollingBack(Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restore {JobId} was interrupted during its commit; rolling it forward")]
    private partial void LogRollingForward(Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restore {JobId} from {Source} committed")]
    private partial void LogRestored(Guid jobId, string source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Restore {JobId} failed while committing ({Step}); undoing it")]
    private partial void LogCommitFailed(Exception exception, Guid jobId, string step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restore {JobId}: the database's leftovers could not be removed")]
    private partial void LogDiscardFailed(Exception exception, Guid jobId);
}
