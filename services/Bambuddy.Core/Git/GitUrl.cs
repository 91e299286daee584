using System.Text.RegularExpressions;

namespace Bambuddy.Core.Git;

/// <summary>
/// The rules a git backup's repository settings must meet before anything is saved or sent (DESIGN §6):
/// HTTPS web or clone URLs of the named provider, never SSH, never a URL carrying credentials,
/// and a branch that is a valid git ref name.
/// </summary>
public static partial class GitUrl
{
    public static readonly string[] Providers = ["github", "gitlab", "gitea", "forgejo"];

    /// <summary>The first problem with these settings as (field, reason), or null when they are fine.</summary>
    public static (string Field, string Reason)? Check(string provider, string repositoryUrl, bool allowInsecureHttp)
    {
        if (!Providers.Contains(provider))
        {
            return ("provider", $"provider must be one of {string.Join(", ", Providers)}, got '{provider}'.");
        }

        var url = repositoryUrl.Trim();
        if (url.Length == 0)
        {
            return ("repository_url", "repository_url is required.");
        }

        if (url.Length > 500)
        {
            return ("repository_url", "repository_url is longer than 500 characters.");
        }

        if (url.StartsWith("git@", StringComparison.Ordinal) || url.StartsWith("ssh:", StringComparison.OrdinalIgnoreCase)
            || url.StartsWith("git:", StringComparison.OrdinalIgnoreCase) || ScpLike().IsMatch(url))
        {
            return ("repository_url", "SSH and git:// URLs are not supported; use the repository's HTTPS URL (https://host/owner/repo) and an access token.");
        }

        if (url.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '\\'))
        {
            return ("repository_url", "repository_url must not contain spaces, control characters or backslashes.");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Host.Length == 0)
        {
            return ("repository_url", "repository_url must be an https:// URL such as https://github.com/owner/repo.");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !allowInsecureHttp)
        {
            return ("allow_insecure_http", "repository_url is http://, which sends the token in clear text; use https:// or set allow_insecure_http to true.");
        }

        if (uri.UserInfo.Length > 0)
        {
            return ("repository_url", "repository_url must not carry a user name or token; give the token as access_token.");
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return ("repository_url", "repository_url must not have a query string or fragment; give the token as access_token.");
        }

        var segments = Segments(url);
        if (segments.Any(s => s is "." or ".." || !Segment().IsMatch(s)))
        {
            return ("repository_url", "repository_url has a path segment that is not an owner, group or repository name.");
        }

        if (segments.Length < 2)
        {
            return ("repository_url", "repository_url must name the owner and the repository (https://host/owner/repo).");
        }

        var host = uri.Host.ToLowerInvariant();
        if (KnownProvider(host) is { } hosted && !hosted.Contains(provider))
        {
            return ("repository_url", $"{host} is a {hosted[0]} host, but provider is {provider}; set provider to {hosted[0]}.");
        }

        return provider switch
        {
            "github" when segments.Length != 2 => ("repository_url", "A GitHub repository URL is https://host/owner/repo, with nothing after the repository name."),
            "gitlab" when segments.Contains("-") => ("repository_url", "A GitLab repository URL is https://host/group[/subgroup]/project, not a page inside it (/-/…)."),
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="branch"/> is a valid branch name (<c>git check-ref-format --branch</c>).</summary>
    public static bool IsValidBranch(string branch)
    {
        if (branch.Length is 0 or > 200 || branch == "@" || branch.StartsWith('-') || branch.StartsWith('/') || branch.EndsWith('/')
            || branch.EndsWith('.') || branch.Contains("..", StringComparison.Ordinal) || branch.Contains("//", StringComparison.Ordinal)
            || branch.Contains("@{", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in branch)
        {
            if (c <= ' ' || c == '\x7f' || c is '~' or '^' or ':' or '?' or '*' or '[' or '\\')
            {
                return false;
            }
        }

        return branch.Split('/').All(part => !part.StartsWith('.') && !part.EndsWith(".lock", StringComparison.Ordinal));
    }

    /// <summary>The repository's web address: the URL without a trailing <c>/</c> or <c>.git</c>.</summary>
    public static string WebUrl(string repositoryUrl)
    {
        var url = repositoryUrl.Trim().TrimEnd('/');
        return url.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? url[..^4] : url;
    }

    /// <summary>Where the provider shows a commit, or null without one.</summary>
    public static string? CommitUrl(string provider, string repositoryUrl, string? commitSha)
    {
        if (string.IsNullOrEmpty(commitSha))
        {
            return null;
        }

        var web = WebUrl(repositoryUrl);
        return provider == "gitlab" ? $"{web}/-/commit/{commitSha}" : $"{web}/commit/{commitSha}";
    }

    private static string[] Segments(string url)
    {
        // Uri collapses "a/../b"; the original text must not hide such a segment.
        var rawPath = url[(url.IndexOf("//", StringComparison.Ordinal) + 2)..];
        rawPath = rawPath.Contains('/') ? rawPath[rawPath.IndexOf('/')..] : "";
        var parts = rawPath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 0 && parts[^1].EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            parts[^1] = parts[^1][..^4];
        }

        return parts;
    }

    private static string[]? KnownProvider(string host) => host switch
    {
        "github.com" or "www.github.com" => ["github"],
        "gitlab.com" or "www.gitlab.com" => ["gitlab"],
        "codeberg.org" => ["forgejo", "gitea"],
        "gitea.com" => ["gitea", "forgejo"],
        _ when host.StartsWith("gitlab.", StringComparison.Ordinal) => ["gitlab"],
        _ when host.StartsWith("github.", StringComparison.Ordinal) => ["github"],
        _ => null,
    };

    // user@host:owner/repo, git's scp-like SSH form.
    [GeneratedRegex(@"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:")]
    private static partial Regex ScpLike();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+$")]
    private static partial Regex Segment();
}
