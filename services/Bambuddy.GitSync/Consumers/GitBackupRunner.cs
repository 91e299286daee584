using System.Data.Common;
using Bambuddy.Contracts;
using Bambuddy.Core.Bambuddy;
using Bambuddy.Core.Installation;
using Bambuddy.GitSync.Export;
using Bambuddy.GitSync.Model;
using Bambuddy.GitSync.Repository;

namespace Bambuddy.GitSync.Consumers;

/// <summary>
/// One git backup from start to end: resolve the remote, refuse a public repository, read the installation
/// (database, printers' K-profiles, cloud profiles), export, sync. Every outcome is a <see cref="GitBackupCompleted"/>;
/// no message it writes carries the token.
/// </summary>
public sealed partial class GitBackupRunner(
    BambuddyInstallation installation,
    IGitHosting hosting,
    IKProfileSource kProfileSource,
    ICloudProfileSource cloudProfileSource,
    GitRepositorySync sync,
    TimeProvider time,
    ILogger<GitBackupRunner> logger)
{
    public async Task<GitBackupCompleted> RunAsync(
        Guid jobId, GitRepositoryTarget target, GitBackupContents contents, string token, IProgress<string> progress,
        CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        GitBackupCompleted Failed(string step, string reason) =>
            new(jobId, "failed", Scrub(reason, token), null, 0, time.GetUtcNow(), step, warnings);

        GitRemote remote;
        try
        {
            remote = hosting.ResolveRemote(target.Provider, target.RepositoryUrl, target.AllowInsecureHttp);
        }
        catch (ArgumentException ex)
        {
            return Failed("config", ex.Message);
        }

        if (!GitRepositorySync.IsValidBranchName(target.Branch))
        {
            return Failed("config", $"'{target.Branch}' is not a valid branch name.");
        }

        progress.Report("Checking that the repository is private…");
        bool? isPrivate;
        try
        {
            isPrivate = await hosting.IsPrivateAsync(target.Provider, target.RepositoryUrl, target.AllowInsecureHttp, token, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            LogPrivacyUnknown(jobId, ex.GetType().Name);
            isPrivate = null;
        }

        if (isPrivate is false)
        {
            return Failed("privacy",
                "The repository is public. A git backup holds your printers' profiles and settings, so it is only pushed to a private repository: make it private and run again.");
        }

        if (isPrivate is null)
        {
            warnings.Add("Could not confirm that the repository is private (the provider's API did not say); the backup was pushed anyway.");
        }

        SortedDictionary<string, byte[]> tree;
        try
        {
            tree = await ExportAsync(contents, progress, warnings, cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or InvalidDataException or InvalidOperationException or IOException or ArgumentException
                                   && !cancellationToken.IsCancellationRequested)
        {
            return Failed("export", $"Reading the installation failed: {ex.Message}");
        }

        try
        {
            var result = await sync.SyncAsync(remote, target.Branch, token, tree, progress, cancellationToken);
            LogSynced(jobId, result.Status, result.FilesChanged);
            return new GitBackupCompleted(jobId, result.Status, result.Message, result.CommitSha, result.FilesChanged, time.GetUtcNow(), null, warnings);
        }
        catch (GitSyncException ex)
        {
            return Failed(ex.Step, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not a failure the sync knows how to name: still a failed job with a reason, not a poisoned message.
            LogUnexpected(jobId, ex);
            return Failed("commit", $"The git backup failed unexpectedly: {ex.Message}");
        }
    }

    private async Task<SortedDictionary<string, byte[]>> ExportAsync(
        GitBackupContents contents, IProgress<string> progress, List<string> warnings, CancellationToken cancellationToken)
    {
        progress.Report("Reading the Bambuddy database…");
        await using var database = await BambuddyDatabase.OpenAsync(installation, cancellationToken);

        IReadOnlyList<PrinterKProfiles> kProfiles = [];
        if (contents.KProfiles)
        {
            progress.Report("Reading K-profiles…");
            var printers = (await database.ReadPrintersAsync(cancellationToken)).Where(p => p.IsActive).ToList();
            var read = await kProfileSource.ReadAsync(printers, cancellationToken);
            kProfiles = read.Files;
            warnings.AddRange(read.Skipped);
        }

        IReadOnlyList<CloudProfileFile> cloudProfiles = [];
        if (contents.CloudProfiles)
        {
            progress.Report("Reading cloud profiles…");
            var read = await cloudProfileSource.ReadAsync(await CloudTokenAsync(database, cancellationToken), cancellationToken);
            cloudProfiles = read.Files;
            warnings.AddRange(read.Warnings);
        }

        progress.Report("Exporting…");
        return await GitExport.BuildAsync(database, contents, kProfiles, cloudProfiles, cancellationToken);
    }

    /// <summary>Bambuddy's Bambu Cloud token: the global setting (auth off), else the first user's that has one.</summary>
    private static async Task<string?> CloudTokenAsync(BambuddyDatabase database, CancellationToken cancellationToken)
    {
        var setting = (await database.ReadSettingsAsync(cancellationToken)).FirstOrDefault(s => s.Key == "bambu_cloud_token").Value;
        if (!string.IsNullOrEmpty(setting))
        {
            return setting;
        }

        if (!(await database.ListTablesAsync(cancellationToken)).Contains("users")
            || !(await database.ListColumnsAsync("users", cancellationToken)).Contains("cloud_token"))
        {
            return null;
        }

        await foreach (var row in database.ReadRowsAsync("users", ["cloud_token"], cancellationToken))
        {
            if (row[0].Value is string { Length: > 0 } token)
            {
                return token;
            }
        }

        return null;
    }

    private static string Scrub(string message, string token) =>
        token.Length == 0 ? message : message.Replace(token, "***", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: the repository's privacy could not be checked ({Error}); going on")]
    private partial void LogPrivacyUnknown(Guid jobId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId}: the git sync failed unexpectedly")]
    private partial void LogUnexpected(Guid jobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: git backup {Status}, {FilesChanged} file(s) changed")]
    private partial void LogSynced(Guid jobId, string status, int filesChanged);
}
