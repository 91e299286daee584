using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bambuddy.GitSync.Model;
using LibGit2Sharp;
using LibGit2Sharp.Handlers;
using Microsoft.Extensions.Options;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Bambuddy.GitSync.Hosting;

/// <summary>
/// GitHub (and GitHub Enterprise), GitLab, Gitea and Forgejo: each provider's API with its own authentication, then
/// <c>ls-remote</c> over HTTPS with the token to prove git access. The token is sent only in headers and git's
/// credential callback; it is never in a URL, a message or a log.
/// </summary>
public sealed partial class GitHosting(HttpClient http, IOptions<GitHostingOptions> options, ILogger<GitHosting> logger) : IGitHosting
{
    public GitRemote ResolveRemote(string provider, string repositoryUrl, bool allowInsecureHttp)
    {
        var address = RepositoryAddress.Parse(provider, repositoryUrl, allowInsecureHttp);
        return new GitRemote(address.CloneUrl, address.GitUserName);
    }

    public async Task<GitConnectionReport> TestAsync(string provider, string repositoryUrl, string branch, bool allowInsecureHttp, string token,
        CancellationToken cancellationToken)
    {
        var report = await TestCoreAsync(provider, repositoryUrl, branch, allowInsecureHttp, token, cancellationToken);
        LogTested(provider, report.RepoName ?? "(unknown)", report.Success, report.Failure ?? "none");
        return report;
    }

    public async Task<bool?> IsPrivateAsync(string provider, string repositoryUrl, bool allowInsecureHttp, string token, CancellationToken cancellationToken)
    {
        RepositoryAddress address;
        try
        {
            address = RepositoryAddress.Parse(provider, repositoryUrl, allowInsecureHttp);
        }
        catch (RepositoryUrlException)
        {
            return null;
        }

        var answer = await AskApiAsync(address, token, cancellationToken);
        return answer.Repository is { } repository ? Visibility(address, repository).IsPrivate : null;
    }

    private async Task<GitConnectionReport> TestCoreAsync(string provider, string repositoryUrl, string branch, bool allowInsecureHttp, string token,
        CancellationToken cancellationToken)
    {
        RepositoryAddress address;
        try
        {
            address = RepositoryAddress.Parse(provider, repositoryUrl, allowInsecureHttp);
        }
        catch (RepositoryUrlException ex)
        {
            return Failed(ex.Failure, ex.Reason);
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            return Failed("unauthorized", "access_token is required: a token of the repository host with read and write access to the repository.");
        }

        var answer = await AskApiAsync(address, token, cancellationToken);
        if (answer.Repository is not { } repository)
        {
            return Failed(answer.Failure!, answer.Message!);
        }

        var (isPrivate, visibility) = Visibility(address, repository);
        var name = RepoName(address, repository);
        var permissions = Permissions(address, repository);
        if (isPrivate is false)
        {
            return new GitConnectionReport(false,
                $"Repository {name} is {visibility}. A backup exports personal data (printer settings and access details, print history, cloud presets): make the repository private, or use a private one.",
                name, permissions, false, "public");
        }

        if (permissions is not null && !permissions.GetValueOrDefault("push"))
        {
            return new GitConnectionReport(false, $"The token can read {name} but cannot push to it. {ScopeHint(address)}", name, permissions, isPrivate, "forbidden");
        }

        var git = await ListBranchesAsync(address, token, cancellationToken);
        if (git.Failure is not null)
        {
            return new GitConnectionReport(false, git.Message, name, permissions, isPrivate, git.Failure);
        }

        var access = isPrivate is true
            ? $"{name} is private and the token can push"
            : $"the token can push to {name}, but {address.Authority} did not say whether it is private (each backup checks again and refuses a public one)";
        var message = git.Heads.Contains("refs/heads/" + branch)
            ? $"Connection successful: {access}; branch {branch} exists."
            : git.Heads.Count == 0
                ? $"Connection successful: {access}. The repository is empty: the first backup creates branch {branch}."
                : $"Connection successful: {access}. Branch {branch} does not exist yet: the first backup creates it.";
        return new GitConnectionReport(true, message, name, permissions, isPrivate, null);
    }

    /// <summary>The provider's answer about the repository, or what failed (never throwing for network or auth trouble).</summary>
    private async Task<ApiAnswer> AskApiAsync(RepositoryAddress address, string token, CancellationToken cancellationToken)
    {
        var host = address.Authority;
        var limit = options.Value.GitHostTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, address.ApiBase + address.ApiPath);
            Authenticate(request, address.Provider, token);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    await using (var body = await response.Content.ReadAsStreamAsync(timeout.Token))
                    {
                        return await JsonNode.ParseAsync(body, cancellationToken: timeout.Token) is JsonObject repository
                            ? new ApiAnswer(repository, null, null)
                            : new ApiAnswer(null, "unreachable", $"{host} answered with something that is not its API's JSON: is provider right?");
                    }

                case HttpStatusCode.Unauthorized:
                    return new ApiAnswer(null, "unauthorized", $"{host} refused the token (HTTP 401): it is wrong, expired or revoked. Check access_token.");
                case HttpStatusCode.Forbidden:
                    return new ApiAnswer(null, "forbidden", $"{host} refused access to {address.FullPath} (HTTP 403). {ScopeHint(address)}");
                case HttpStatusCode.NotFound:
                    return new ApiAnswer(null, "not_found",
                        $"No repository {address.FullPath} on {host}, or the token has no access to it (a private repository looks missing to a token without access). Check repository_url and the token.");
                default:
                    return new ApiAnswer(null, "unreachable", $"{host} answered HTTP {(int)response.StatusCode} to the repository lookup; try again later.");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ApiAnswer(null, "unreachable", $"{host} did not answer within {limit.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex) when (IsTls(ex))
        {
            return new ApiAnswer(null, "tls", $"TLS error talking to {host}: its certificate is not trusted or the handshake failed.");
        }
        catch (HttpRequestException ex)
        {
            return new ApiAnswer(null, "unreachable", $"{host} is unreachable ({Describe(ex)}).");
        }
        catch (JsonException)
        {
            return new ApiAnswer(null, "unreachable", $"{host} answered with something that is not its API's JSON: is provider right?");
        }
    }

    private static void Authenticate(HttpRequestMessage request, string provider, string token)
    {
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Bambuddy-Backup", "1.0"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        switch (provider)
        {
            case RepositoryAddress.GitHub:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
                request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
                break;
            case RepositoryAddress.GitLab:
                request.Headers.Add("PRIVATE-TOKEN", token);
                break;
            default:
                request.Headers.Authorization = new AuthenticationHeaderValue("token", token);
                break;
        }
    }

    /// <summary>ls-remote with the token: the heads, or what failed. libgit2 has no cancellation, so the wait is bounded instead.</summary>
    private async Task<GitAnswer> ListBranchesAsync(RepositoryAddress address, string token, CancellationToken cancellationToken)
    {
        var limit = options.Value.GitHostTimeout;
        var asked = 0;
        CredentialsHandler credentials = (_, _, _) =>
        {
            // libgit2 asks again after each refusal (about 15 times); the second ask means the token was refused.
            if (Interlocked.Increment(ref asked) > 1)
            {
                throw new TokenRefusedException();
            }

            return new UsernamePasswordCredentials { Username = address.GitUserName, Password = token };
        };

        var list = Task.Run(() => LibGit2Sharp.Repository.ListRemoteReferences(address.CloneUrl, credentials)
            .Select(reference => reference.CanonicalName)
            .Where(name => name.StartsWith("refs/heads/", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal), CancellationToken.None);
        try
        {
            return new GitAnswer(await list.WaitAsync(limit, cancellationToken), null, "");
        }
        catch (TimeoutException)
        {
            _ = list.ContinueWith(task => task.Exception, TaskScheduler.Default);
            return new GitAnswer([], "unreachable", $"git at {address.Authority} did not answer within {limit.TotalSeconds:0.#} s.");
        }
        catch (LibGit2SharpException ex)
        {
            var text = ex.Message;
            if (Volatile.Read(ref asked) > 1 || text.Contains("401", StringComparison.Ordinal) || text.Contains("authentication", StringComparison.OrdinalIgnoreCase))
            {
                return new GitAnswer([], "unauthorized",
                    $"The API accepted the token but git at {address.Authority} refused it (user {address.GitUserName}). {ScopeHint(address)}");
            }

            if (text.Contains("403", StringComparison.Ordinal))
            {
                return new GitAnswer([], "forbidden", $"git at {address.Authority} refused access (HTTP 403). {ScopeHint(address)}");
            }

            if (text.Contains("404", StringComparison.Ordinal) || text.Contains("not found", StringComparison.OrdinalIgnoreCase))
            {
                return new GitAnswer([], "not_found", $"git found no repository at {address.CloneUrl}.");
            }

            if (text.Contains("certificate", StringComparison.OrdinalIgnoreCase) || text.Contains("SSL", StringComparison.Ordinal)
                || text.Contains("TLS", StringComparison.Ordinal))
            {
                return new GitAnswer([], "tls", $"TLS error in git talking to {address.Authority}: the certificate is not trusted (for a private CA, set SSL_CERT_FILE).");
            }

            if (text.Contains("failed to connect", StringComparison.OrdinalIgnoreCase) || text.Contains("resolve", StringComparison.OrdinalIgnoreCase)
                || text.Contains("timed out", StringComparison.OrdinalIgnoreCase))
            {
                return new GitAnswer([], "unreachable", $"git cannot reach {address.Authority}.");
            }

            LogGitFailed(address.Authority, ex.GetType().Name);
            return new GitAnswer([], "git", $"git could not list the branches of {address.CloneUrl}.");
        }
    }

    private static (bool? IsPrivate, string Visibility) Visibility(RepositoryAddress address, JsonObject repository)
    {
        if (address.Provider == RepositoryAddress.GitLab)
        {
            // "internal" is readable by every signed-in user of the instance: not private.
            return Text(repository["visibility"]) is { } visibility ? (visibility == "private", visibility) : (null, "unknown");
        }

        return repository["private"] is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? (value.GetValue<bool>(), value.GetValue<bool>() ? "private" : "public")
            : (null, "unknown");
    }

    private static string RepoName(RepositoryAddress address, JsonObject repository) =>
        Text(repository[address.Provider == RepositoryAddress.GitLab ? "path_with_namespace" : "full_name"]) ?? address.FullPath;

    /// <summary>What the token may do; null when the provider does not say (then git decides).</summary>
    private static IReadOnlyDictionary<string, bool>? Permissions(RepositoryAddress address, JsonObject repository)
    {
        if (address.Provider == RepositoryAddress.GitLab)
        {
            // GitLab gives access levels: 20 reporter (read), 30 developer (push), 40 maintainer, 50 owner.
            var levels = new[] { "project_access", "group_access" }
                .Select(key => repository["permissions"]?[key]?["access_level"])
                .OfType<JsonValue>()
                .Select(level => level.GetValueKind() == JsonValueKind.Number ? level.GetValue<int>() : 0)
                .ToArray();
            if (levels.Length == 0)
            {
                return null;
            }

            var level = levels.Max();
            return new Dictionary<string, bool> { ["admin"] = level >= 40, ["push"] = level >= 30, ["pull"] = level >= 20 };
        }

        if (repository["permissions"] is not JsonObject granted)
        {
            return null;
        }

        var permissions = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var (key, value) in granted)
        {
            if (value is JsonValue flag && flag.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            {
                permissions[key] = flag.GetValue<bool>();
            }
        }

        return permissions;
    }

    private static string ScopeHint(RepositoryAddress address) => address.Provider switch
    {
        RepositoryAddress.GitHub =>
            "The token needs the repo scope (classic token), or Contents read and write on this repository (fine-grained token).",
        RepositoryAddress.GitLab =>
            "The token needs the api or write_repository scope, and the Developer role or higher on the project.",
        _ => "The token needs repository read and write permission (scope write:repository).",
    };

    private static bool IsTls(HttpRequestException ex) =>
        ex.HttpRequestError == HttpRequestError.SecureConnectionError || ex.InnerException is AuthenticationException;

    private static string Describe(HttpRequestException ex) => ex.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "unknown host",
        HttpRequestError.ConnectionError => "connection refused or no route",
        var other => other.ToString(),
    };

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static GitConnectionReport Failed(string failure, string message) => new(false, message, null, null, null, failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tested the {Provider} repository {Repository}: success {Success}, failure {Failure}")]
    private partial void LogTested(string provider, string repository, bool success, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "git could not list the branches at {Host} ({ErrorType})")]
    private partial void LogGitFailed(string host, string errorType);

    private sealed record ApiAnswer(JsonObject? Repository, string? Failure, string? Message);

    private sealed record GitAnswer(HashSet<string> Heads, string? Failure, string Message);

    /// <summary>Thrown from git's credential callback to stop libgit2's replay loop after the first refusal; carries no secret.</summary>
    private sealed class TokenRefusedException() : Exception("The git server refused the token.");
}
