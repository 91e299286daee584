namespace Bambuddy.Contracts;

/// <summary>Check that a git repository is reachable, private and writable with a token.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Provider"><c>github</c>, <c>gitlab</c>, <c>gitea</c> or <c>forgejo</c>.</param>
/// <param name="RepositoryUrl">The repository's web or clone URL.</param>
/// <param name="Branch">The branch to look for.</param>
/// <param name="AllowInsecureHttp">Whether an <c>http://</c> URL is allowed.</param>
/// <param name="ProtectedAccessToken">The token, encrypted with the shared Data Protection key ring; never plain text.</param>
public sealed record TestGitConnection(
    Guid JobId,
    string Provider,
    string RepositoryUrl,
    string Branch,
    bool AllowInsecureHttp,
    string ProtectedAccessToken);
