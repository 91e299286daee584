using Bambuddy.GitSync.Model;

namespace Bambuddy.GitSync.Tests.Support;

/// <summary>
/// The provider side as the tests need it: the clone URL is the repository URL (plus <c>.git</c>), and the
/// privacy answer is whatever the test sets. Git itself is always the real server.
/// </summary>
public sealed class TestGitHosting : IGitHosting
{
    public bool? IsPrivate { get; set; } = true;

    /// <summary>The token the last <see cref="TestAsync"/> got (to check the consumer decrypted it).</summary>
    public string? LastToken { get; private set; }

    public GitRemote ResolveRemote(string provider, string repositoryUrl, bool allowInsecureHttp)
    {
        if (repositoryUrl.StartsWith("http://", StringComparison.Ordinal) && !allowInsecureHttp)
        {
            throw new ArgumentException("repository_url: http:// needs allow_insecure_http.", nameof(repositoryUrl));
        }

        return new GitRemote(repositoryUrl.EndsWith(".git", StringComparison.Ordinal) ? repositoryUrl : repositoryUrl + ".git", "x-access-token");
    }

    public Task<GitConnectionReport> TestAsync(string provider, string repositoryUrl, string branch, bool allowInsecureHttp, string token, CancellationToken cancellationToken)
    {
        LastToken = token;
        return Task.FromResult(IsPrivate is false
            ? new GitConnectionReport(false, "The repository is public.", "repo", null, false, "public")
            : new GitConnectionReport(true, "Connected.", "repo", new Dictionary<string, bool> { ["push"] = true }, IsPrivate, null));
    }

    public Task<bool?> IsPrivateAsync(string provider, string repositoryUrl, bool allowInsecureHttp, string token, CancellationToken cancellationToken) =>
        Task.FromResult(IsPrivate);
}
