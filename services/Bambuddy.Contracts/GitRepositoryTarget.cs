namespace Bambuddy.Contracts;

/// <summary>Where a git backup goes and how to reach it. The token travels only encrypted (Data Protection).</summary>
/// <param name="Provider"><c>github</c>, <c>gitlab</c>, <c>gitea</c> or <c>forgejo</c>.</param>
/// <param name="RepositoryUrl">The repository's web or clone URL.</param>
/// <param name="Branch">The branch to push to.</param>
/// <param name="AllowInsecureHttp">Whether an <c>http://</c> URL is allowed.</param>
/// <param name="ProtectedAccessToken">The token, encrypted with the shared key ring; never plain text.</param>
public sealed record GitRepositoryTarget(
    string Provider,
    string RepositoryUrl,
    string Branch,
    bool AllowInsecureHttp,
    string ProtectedAccessToken);
