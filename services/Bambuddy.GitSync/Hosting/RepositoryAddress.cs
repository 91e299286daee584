using System.Text.RegularExpressions;

namespace Bambuddy.GitSync.Hosting;

/// <summary>
/// A repository URL read by its provider's rules (DESIGN §6): where the provider's API is, which repository it names
/// there, and the git remote. Web and clone URLs are accepted; SSH, embedded credentials, query strings and (unless
/// allowed) plain http are refused with a reason naming the field.
/// </summary>
public sealed partial record RepositoryAddress(
    string Provider,
    string Scheme,
    string Authority,
    string Host,
    string PathPrefix,
    string Owner,
    string Name,
    string ApiBase,
    string CloneUrl)
{
    public const string GitHub = "github";
    public const string GitLab = "gitlab";
    public const string Gitea = "gitea";
    public const string Forgejo = "forgejo";

    /// <summary>The repository's whole path as the provider names it: <c>owner/repo</c>, or GitLab's <c>group/subgroup/project</c>.</summary>
    public string FullPath => Owner + "/" + Name;

    /// <summary>The API path of the repository: <c>/repos/{owner}/{repo}</c>, or GitLab's <c>/projects/{url-encoded path}</c>.</summary>
    public string ApiPath => Provider == GitLab
        ? "/projects/" + Uri.EscapeDataString(FullPath)
        : $"/repos/{Uri.EscapeDataString(Owner)}/{Uri.EscapeDataString(Name)}";

    /// <summary>The user name git sends with the token as password.</summary>
    public string GitUserName => Provider switch
    {
        GitHub => "x-access-token",
        GitLab => "oauth2",
        _ => "bambuddy",
    };

    /// <exception cref="RepositoryUrlException">The URL or provider breaks a rule; the message says which field and why.</exception>
    public static RepositoryAddress Parse(string provider, string repositoryUrl, bool allowInsecureHttp)
    {
        var kind = (provider ?? "").Trim().ToLowerInvariant();
        if (kind is not (GitHub or GitLab or Gitea or Forgejo))
        {
            throw new RepositoryUrlException("invalid_url", "provider", "provider must be github, gitlab, gitea or forgejo.");
        }

        var text = (repositoryUrl ?? "").Trim();
        if (text.Length == 0)
        {
            throw Invalid("repository_url is required: the repository's HTTPS address, like https://github.com/owner/repo.");
        }

        if (text.StartsWith("git@", StringComparison.OrdinalIgnoreCase) || text.StartsWith("ssh:", StringComparison.OrdinalIgnoreCase)
            || ScpLike().IsMatch(text))
        {
            throw Invalid("repository_url is an SSH address; only HTTPS is supported: give the https:// address of the repository (the token is the password).");
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            throw Invalid("repository_url must be an https:// address of the repository, like https://github.com/owner/repo.");
        }

        if (uri.UserInfo.Length > 0)
        {
            throw Invalid("repository_url must not carry a user name or token: give the token in access_token, never in the URL.");
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw Invalid("repository_url must not have a query string or fragment (no ?… or #…).");
        }

        if (uri.Scheme == "http" && !allowInsecureHttp)
        {
            throw new RepositoryUrlException("insecure_http", "allow_insecure_http",
                "repository_url uses plain http://, which would send the token unencrypted: use https://, or set allow_insecure_http for a server on a trusted network.");
        }

        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (kind == GitLab && segments.IndexOf("-") is var dash and > 0)
        {
            // A GitLab page below the project (…/project/-/tree/main) names the project before "/-/".
            segments = segments[..dash];
        }

        if (segments.Count > 0 && segments[^1].EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            segments[^1] = segments[^1][..^4];
        }

        if (segments.Any(segment => !Segment().IsMatch(segment) || segment is "." or ".."))
        {
            throw Invalid("repository_url has a path that is not a repository (only letters, digits, '.', '-' and '_' between the slashes).");
        }

        if (segments.Count < 2 || (kind == GitHub && segments.Count != 2))
        {
            throw Invalid(kind == GitHub
                ? "repository_url must name owner and repository: https://github.com/owner/repo."
                : "repository_url must name owner and repository: https://host/owner/repo.");
        }

        var origin = $"{uri.Scheme}://{uri.Authority}";
        var (prefix, owner, name, apiBase) = kind switch
        {
            GitHub => ("", segments[0], segments[1],
                uri.Host.Equals("github.com", StringComparison.OrdinalIgnoreCase) || uri.Host.Equals("www.github.com", StringComparison.OrdinalIgnoreCase)
                    ? "https://api.github.com"
                    : origin + "/api/v3"),
            GitLab => ("", string.Join('/', segments[..^1]), segments[^1], origin + "/api/v4"),
            _ => (Join(segments[..^2]), segments[^2], segments[^1], origin + Join(segments[..^2]) + "/api/v1"),
        };
        return new RepositoryAddress(kind, uri.Scheme, uri.Authority, uri.Host, prefix, owner, name, apiBase,
            $"{origin}/{string.Join('/', segments)}.git");
    }

    private static string Join(List<string> segments) => segments.Count == 0 ? "" : "/" + string.Join('/', segments);

    private static RepositoryUrlException Invalid(string message) => new("invalid_url", "repository_url", message);

    [GeneratedRegex(@"^[A-Za-z0-9._-]+$")]
    private static partial Regex Segment();

    /// <summary><c>user@host:path</c>, git's scp-like SSH form.</summary>
    [GeneratedRegex(@"^[^/:@\s]+@[^/:\s]+:")]
    private static partial Regex ScpLike();
}
