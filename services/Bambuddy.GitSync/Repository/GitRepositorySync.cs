using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Bambuddy.Core.Jobs;
using Bambuddy.GitSync.Export;
using Bambuddy.GitSync.Model;
using LibGit2Sharp;
using LibGit2Sharp.Handlers;
using Microsoft.Extensions.Options;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Bambuddy.GitSync.Repository;

/// <summary>
/// Makes a repository's branch mirror an export: a working clone per repository in the state directory is
/// reset to the remote tip, the managed files are written (and those not in the export deleted), and a
/// commit is pushed only when something changed. The token reaches git only through the credentials
/// callback, never a URL or <c>.git/config</c>. The only file that names LibGit2Sharp.
/// </summary>
public sealed partial class GitRepositorySync(WorkerPaths paths, IOptions<GitSyncOptions> options, TimeProvider time, ILogger<GitRepositorySync> logger)
{
    public const string AuthorName = "Bambuddy Backup";
    public const string AuthorEmail = "backup@bambuddy.local";

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Locks = new(StringComparer.Ordinal);

    /// <summary>The working clone of a remote: <c>{state}/git/{first 16 hex of SHA-256(clone URL)}</c>.</summary>
    public string WorkingClonePath(string cloneUrl)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(cloneUrl)));
        return Path.Combine(paths.StateDirectory, "git", hash[..16]);
    }

    /// <summary>Whether git accepts <c>refs/heads/{branch}</c> as a branch name.</summary>
    public static bool IsValidBranchName(string branch) =>
        !string.IsNullOrWhiteSpace(branch) && Reference.IsValidName($"refs/heads/{branch}");

    /// <summary>Pushes <paramref name="tree"/> (the managed files, path → bytes) to <paramref name="branch"/>.</summary>
    /// <exception cref="GitSyncException">The remote refused, could not be reached, or rejected the push; nothing was left half-done.</exception>
    public async Task<GitSyncResult> SyncAsync(
        GitRemote remote, string branch, string token, IReadOnlyDictionary<string, byte[]> tree, IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var directory = WorkingClonePath(remote.CloneUrl);
        var gate = Locks.GetOrAdd(directory, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            // LibGit2Sharp is synchronous: keep it off the caller's thread.
            return await Task.Run(() => Sync(directory, remote, branch, token, tree, progress, cancellationToken), cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private GitSyncResult Sync(
        string directory, GitRemote remote, string branch, string token, IReadOnlyDictionary<string, byte[]> tree, IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        foreach (var path in tree.Keys.Where(p => !ManagedPaths.IsManaged(p)))
        {
            throw new ArgumentException($"'{path}' is not a file the git backup manages.", nameof(tree));
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return SyncOnce(directory, remote, branch, token, tree, progress, cancellationToken);
            }
            catch (GitSyncException ex) when (ex is { Step: "clone", Failure: "git" } && attempt == 1)
            {
                // A fetch that fails for no reason the server gave (e.g. "object not found": the clone lost objects it
                // claims to have) is retried once from a fresh clone.
                LogRecloning(directory, ex.Message);
                DeleteClone(directory);
            }
            catch (Exception ex) when (ex is LibGit2SharpException or IOException or UnauthorizedAccessException
                                       && ex is not UserCancelledException && !cancellationToken.IsCancellationRequested)
            {
                // Whatever failed locally (a garbage HEAD, missing objects, a broken index): the clone is only a
                // cache of the remote, so start again from a fresh one, once.
                if (attempt > 1)
                {
                    throw new GitSyncException("commit", "git", $"The working clone could not be used: {Scrub(ex.Message, token)}", ex);
                }

                LogRecloning(directory, Scrub(ex.Message, token));
                DeleteClone(directory);
            }
        }
    }

    private GitSyncResult SyncOnce(
        string directory, GitRemote remote, string branch, string token, IReadOnlyDictionary<string, byte[]> tree, IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        using var repo = OpenClone(directory, remote.CloneUrl);
        for (var round = 1; ; round++)
        {
            progress?.Report("Fetching…");
            var tip = Fetch(repo, remote, branch, token, cancellationToken);
            ResetTo(repo, branch, tip);

            progress?.Report("Writing files…");
            WriteTree(repo, tree);
            var changes = repo.Diff.Compare<TreeChanges>(tip?.Tree, DiffTargets.Index);
            var changed = changes.Added.Count() + changes.Modified.Count() + changes.Deleted.Count() + changes.Renamed.Count() + changes.TypeChanged.Count();
            if (changed == 0)
            {
                return new GitSyncResult("skipped", null, 0, "No changes since the last backup; nothing was pushed.");
            }

            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report("Committing…");
            var now = time.GetUtcNow();
            var signature = new Signature(AuthorName, AuthorEmail, now);
            var commit = repo.Commit($"Bambuddy backup - {now.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC", signature, signature, new CommitOptions());

            progress?.Report("Pushing…");
            try
            {
                Push(repo, remote, branch, token, cancellationToken);
                return new GitSyncResult("success", commit.Sha, changed, $"Pushed {changed} changed file(s) to {branch}.");
            }
            catch (NonFastForwardPush) when (round == 1)
            {
                // Someone else pushed since the fetch: export again on top of their commit, once.
                LogRetryingOnNewTip(branch);
            }
            catch (Exception ex) when (ex is NonFastForwardPush or GitSyncException or OperationCanceledException)
            {
                ResetTo(repo, branch, tip);
                if (ex is NonFastForwardPush)
                {
                    throw new GitSyncException("push", "rejected", $"The push to {branch} was rejected twice because the branch moved on the server meanwhile; try again.");
                }

                throw;
            }
        }
    }

    private static LibGit2Sharp.Repository OpenClone(string directory, string cloneUrl)
    {
        if (!Directory.Exists(Path.Combine(directory, ".git")))
        {
            DeleteClone(directory);
            Directory.CreateDirectory(directory);
            LibGit2Sharp.Repository.Init(directory);
        }

        var repo = new LibGit2Sharp.Repository(directory);
        try
        {
            // Touching HEAD and the index surfaces a corrupted clone now rather than half-way through.
            _ = repo.Head.Tip;
            _ = repo.Index.Count;
            if (repo.Network.Remotes["origin"] is null)
            {
                repo.Network.Remotes.Add("origin", cloneUrl);
            }
            else if (repo.Network.Remotes["origin"].Url != cloneUrl)
            {
                repo.Network.Remotes.Update("origin", r => r.Url = cloneUrl);
            }

            return repo;
        }
        catch
        {
            repo.Dispose();
            throw;
        }
    }

    /// <summary>Fetches the branch; the remote's tip, or null when the remote has no such branch (or no commits at all).</summary>
    private Commit? Fetch(LibGit2Sharp.Repository repo, GitRemote remote, string branch, string token, CancellationToken cancellationToken)
    {
        var tracking = $"refs/remotes/origin/{branch}";
        // Forget what the last fetch saw: if the branch is gone on the server, it is gone here too.
        if (repo.Refs[tracking] is not null)
        {
            repo.Refs.Remove(tracking);
        }

        var credentials = new CredentialsCallback(remote.UserName, token);
        var fetchOptions = new FetchOptions
        {
            CredentialsProvider = credentials.Provide,
            CertificateCheck = CertificateCheck,
            OnTransferProgress = _ => !cancellationToken.IsCancellationRequested,
            TagFetchMode = TagFetchMode.None,
        };
        try
        {
            Commands.Fetch(repo, "origin", [$"+refs/heads/{branch}:{tracking}"], fetchOptions, null);
        }
        catch (LibGit2SharpException ex)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (IsMissingRemoteBranch(ex))
            {
                return null;
            }

            throw Classify("clone", ex, credentials, token);
        }

        return repo.Refs[tracking]?.ResolveToDirectReference()?.Target as Commit;
    }

    private void Push(LibGit2Sharp.Repository repo, GitRemote remote, string branch, string token, CancellationToken cancellationToken)
    {
        var credentials = new CredentialsCallback(remote.UserName, token);
        var rejections = new List<PushStatusError>();
        var pushOptions = new PushOptions
        {
            CredentialsProvider = credentials.Provide,
            CertificateCheck = CertificateCheck,
            OnPushTransferProgress = (_, _, _) => !cancellationToken.IsCancellationRequested,
            // A server-side rejection (a hook, a protected branch, a non-fast-forward the server checks) only surfaces here.
            OnPushStatusError = rejections.Add,
        };
        try
        {
            repo.Network.Push(repo.Network.Remotes["origin"], $"refs/heads/{branch}:refs/heads/{branch}", pushOptions);
        }
        catch (LibGit2SharpException ex)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ex is NonFastForwardException || IsNonFastForward(ex.Message))
            {
                throw new NonFastForwardPush();
            }

            throw Classify("push", ex, credentials, token);
        }

        if (rejections.Count > 0)
        {
            if (rejections.Any(r => IsNonFastForward(r.Message)))
            {
                throw new NonFastForwardPush();
            }

            var reasons = string.Join("; ", rejections.Select(r => $"{r.Reference}: {r.Message}"));
            throw new GitSyncException("push", "rejected", $"The server rejected the push: {Scrub(reasons, token)}.");
        }
    }

    /// <summary>Points the branch, the index and the files at <paramref name="tip"/> (an empty branch when null), dropping anything else.</summary>
    private static void ResetTo(LibGit2Sharp.Repository repo, string branch, Commit? tip)
    {
        var local = $"refs/heads/{branch}";
        File.WriteAllText(Path.Combine(repo.Info.Path, "HEAD"), $"ref: {local}\n");
        if (tip is not null)
        {
            repo.Refs.Add(local, tip.Id, allowOverwrite: true);
            repo.Reset(ResetMode.Hard, tip);
            repo.RemoveUntrackedFiles();
            return;
        }

        if (repo.Refs[local] is not null)
        {
            repo.Refs.Remove(local);
        }

        repo.Index.Clear();
        repo.Index.Write();
        var workdir = new DirectoryInfo(repo.Info.WorkingDirectory);
        foreach (var entry in workdir.EnumerateFileSystemInfos())
        {
            if (entry.Name == ".git")
            {
                continue;
            }

            if (entry is DirectoryInfo folder)
            {
                folder.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }

    private static void WriteTree(LibGit2Sharp.Repository repo, IReadOnlyDictionary<string, byte[]> tree)
    {
        var workdir = repo.Info.WorkingDirectory;
        foreach (var (path, bytes) in tree)
        {
            var file = Path.Combine(workdir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            if (!File.Exists(file) || !File.ReadAllBytes(file).AsSpan().SequenceEqual(bytes))
            {
                File.WriteAllBytes(file, bytes);
            }

            repo.Index.Add(path);
        }

        var stale = repo.Index.Select(e => e.Path).Where(p => ManagedPaths.IsManaged(p) && !tree.ContainsKey(p)).ToList();
        foreach (var path in stale)
        {
            File.Delete(Path.Combine(workdir, path));
            repo.Index.Remove(path);
            DeleteEmptyFolders(workdir, Path.GetDirectoryName(Path.Combine(workdir, path))!);
        }

        repo.Index.Write();
    }

    private static void DeleteEmptyFolders(string workdir, string folder)
    {
        var root = Path.TrimEndingDirectorySeparator(workdir);
        while (folder.Length > root.Length && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
            folder = Path.GetDirectoryName(folder)!;
        }
    }

    private bool CertificateCheck(LibGit2Sharp.Certificate certificate, bool valid, string host) => valid || options.Value.AcceptInvalidCertificates;

    private static GitSyncException Classify(string step, LibGit2SharpException ex, CredentialsCallback credentials, string token)
    {
        var message = Scrub(ex.Message, token);
        if (credentials.Refused || message.Contains("401", StringComparison.Ordinal))
        {
            return new GitSyncException(step, "unauthorized",
                "The repository host refused the access token (HTTP 401): check that it is correct, not expired, and allowed to push.");
        }

        if (message.Contains("403", StringComparison.Ordinal))
        {
            return new GitSyncException(step, "forbidden",
                "The repository host denied access (HTTP 403): the token has no write permission to this repository.");
        }

        if (message.Contains("404", StringComparison.Ordinal))
        {
            return new GitSyncException(step, "not_found", "The repository was not found (HTTP 404): check the repository URL.");
        }

        if (message.Contains("certificate", StringComparison.OrdinalIgnoreCase)
            || message.Contains("SSL", StringComparison.Ordinal) || message.Contains("TLS", StringComparison.Ordinal))
        {
            return new GitSyncException(step, "tls", $"The repository host's TLS certificate was not accepted: {message}");
        }

        string[] unreachable = ["failed to connect", "could not connect", "connection refused", "resolve", "timed out", "failed to send request", "unreachable", "failed to receive"];
        if (unreachable.Any(u => message.Contains(u, StringComparison.OrdinalIgnoreCase)))
        {
            return new GitSyncException(step, "unreachable", $"The repository host could not be reached: {message}");
        }

        return new GitSyncException(step, "git", $"Git failed while {(step == "push" ? "pushing" : "fetching")}: {message}");
    }

    private static bool IsMissingRemoteBranch(LibGit2SharpException ex) =>
        ex.Message.Contains("couldn't find remote ref", StringComparison.OrdinalIgnoreCase)
        || ex.Message.Contains("could not find remote ref", StringComparison.OrdinalIgnoreCase);

    private static bool IsNonFastForward(string message) =>
        message.Contains("non-fast-forward", StringComparison.OrdinalIgnoreCase)
        || message.Contains("nonfastforward", StringComparison.OrdinalIgnoreCase)
        || message.Contains("fetch first", StringComparison.OrdinalIgnoreCase)
        || message.Contains("not present locally", StringComparison.OrdinalIgnoreCase);

    private static string Scrub(string message, string token) =>
        token.Length == 0 ? message : message.Replace(token, "***", StringComparison.Ordinal);

    private static void DeleteClone(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        // Git makes its object files read-only; clear that so the delete can proceed.
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(directory, recursive: true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The working clone {Directory} is unusable ({Error}); cloning it again")]
    private partial void LogRecloning(string directory, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "The branch {Branch} moved on the server during the backup; exporting again on its new tip")]
    private partial void LogRetryingOnNewTip(string branch);

    /// <summary>The push lost a race with another pusher.</summary>
    private sealed class NonFastForwardPush : Exception;

    /// <summary>
    /// Hands libgit2 the token once per operation. libgit2 asks again after a refusal (and keeps asking, about
    /// 15 times); the second call means the first was refused, so it stops there and the failure is named 401.
    /// </summary>
    private sealed class CredentialsCallback(string userName, string token)
    {
        public int Calls { get; private set; }

        public bool Refused => Calls > 1;

        public LibGit2Sharp.Credentials Provide(string url, string usernameFromUrl, SupportedCredentialTypes types)
        {
            Calls++;
            if (Calls > 1)
            {
                throw new InvalidOperationException("The repository host refused the access token.");
            }

            return new UsernamePasswordCredentials { Username = userName, Password = token };
        }
    }
}
