namespace Bambuddy.GitSync.Model;

/// <summary>How git reaches a repository: the clone URL (never carrying the token) and the user name the provider wants.</summary>
public sealed record GitRemote(string CloneUrl, string UserName);

/// <summary>The answer of a connection test, in Bambuddy's shape plus what failed.</summary>
/// <param name="Failure">Null on success; else <c>invalid_url</c>, <c>insecure_http</c>, <c>unreachable</c>, <c>tls</c>,
/// <c>unauthorized</c>, <c>forbidden</c>, <c>not_found</c>, <c>public</c>, <c>branch_missing</c> or <c>git</c>.</param>
public sealed record GitConnectionReport(
    bool Success,
    string Message,
    string? RepoName,
    IReadOnlyDictionary<string, bool>? Permissions,
    bool? IsPrivate,
    string? Failure);

/// <summary>A repository host (GitHub, GitLab, Gitea, Forgejo): its API and its git endpoint.</summary>
public interface IGitHosting
{
    /// <summary>The remote for a provider and URL; throws <see cref="ArgumentException"/> naming the wrong field.</summary>
    GitRemote ResolveRemote(string provider, string repositoryUrl, bool allowInsecureHttp);

    /// <summary>Test Connection: the provider's API call, then ls-remote with the token. Never throws for a network or auth failure.</summary>
    Task<GitConnectionReport> TestAsync(string provider, string repositoryUrl, string branch, bool allowInsecureHttp, string token, CancellationToken cancellationToken);

    /// <summary>Whether the repository is private: true, false (public: refuse the push), or null when it cannot be told.</summary>
    Task<bool?> IsPrivateAsync(string provider, string repositoryUrl, bool allowInsecureHttp, string token, CancellationToken cancellationToken);
}
