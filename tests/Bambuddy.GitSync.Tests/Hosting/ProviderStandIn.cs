using System.Text.Json.Nodes;
using Bambuddy.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Bambuddy.GitSync.Tests.Hosting;

/// <summary>
/// One repository host on a loopback port: the provider's "get repository" API answering as its documentation says,
/// and git's smart HTTP for the same repository (real <c>git http-backend</c>).
/// </summary>
public sealed class ProviderStandIn : IAsyncDisposable
{
    public const string Token = "tok-7Hq2pX9wLm4R";

    private readonly StandInServer _server;
    private readonly TempDirectory _root;
    private int _gitRequests;

    private ProviderStandIn(StandInServer server, TempDirectory root, string provider, string repositoryPath)
    {
        _server = server;
        _root = root;
        Provider = provider;
        RepositoryUrl = $"{server.BaseUrl}/{repositoryPath}";
    }

    public string Provider { get; }

    /// <summary>The repository's web URL on this stand-in (plain http: tests pass <c>allow_insecure_http</c>).</summary>
    public string RepositoryUrl { get; }

    public int GitRequests => Volatile.Read(ref _gitRequests);

    /// <summary>Starts a host for <paramref name="provider"/> holding <paramref name="repositoryPath"/> (for Gitea/Forgejo it may start with a path prefix).</summary>
    public static async Task<ProviderStandIn> StartAsync(string provider, string repositoryPath, Repo repo, CancellationToken cancellationToken)
    {
        var root = new TempDirectory("bambuddy-githost-");
        await GitSmartHttp.CreateRepositoryAsync(root.Path, repositoryPath + ".git", repo.Branches);
        ProviderStandIn? standIn = null;
        var server = await StandInServer.StartAsync(app => app.Run(async context =>
        {
            if (GitSmartHttp.IsGitRequest(context.Request))
            {
                Interlocked.Increment(ref standIn!._gitRequests);
                await GitSmartHttp.ServeAsync(context, root.Path, repo.GitToken ?? Token);
                return;
            }

            await AnswerApiAsync(context, provider, repositoryPath, repo);
        }), cancellationToken);
        standIn = new ProviderStandIn(server, root, provider, repositoryPath);
        return standIn;
    }

    private static async Task AnswerApiAsync(HttpContext context, string provider, string repositoryPath, Repo repo)
    {
        var segments = repositoryPath.Split('/');
        var (expected, authorized) = provider switch
        {
            "github" => ($"/api/v3/repos/{segments[0]}/{segments[1]}",
                context.Request.Headers.Authorization == $"Bearer {Token}"),
            "gitlab" => ($"/api/v4/projects/{Uri.EscapeDataString(repositoryPath)}",
                context.Request.Headers["PRIVATE-TOKEN"] == Token),
            _ => ($"{string.Concat(segments[..^2].Select(segment => "/" + segment))}/api/v1/repos/{segments[^2]}/{segments[^1]}",
                context.Request.Headers.Authorization == $"token {Token}"),
        };
        var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        if (provider == "github" && (context.Request.Headers.UserAgent.Count == 0 || context.Request.Headers["X-GitHub-Api-Version"] != "2022-11-28"))
        {
            // GitHub refuses requests without a User-Agent; the version header is what we promise to speak.
            await Json(context, 403, new JsonObject { ["message"] = "Request forbidden by administrative rules. Please make sure your request has a User-Agent header" });
            return;
        }

        if (!authorized)
        {
            await Json(context, 401, provider switch
            {
                "github" => new JsonObject { ["message"] = "Bad credentials", ["documentation_url"] = "https://docs.github.com/rest", ["status"] = "401" },
                "gitlab" => new JsonObject { ["message"] = "401 Unauthorized" },
                _ => new JsonObject { ["message"] = "user does not exist [uid: 0, name: ]", ["url"] = "https://gitea.example.com/api/swagger" },
            });
            return;
        }

        if (target != expected || repo.ApiStatus == 404)
        {
            await Json(context, 404, provider switch
            {
                "github" => new JsonObject { ["message"] = "Not Found", ["documentation_url"] = "https://docs.github.com/rest/repos/repos#get-a-repository", ["status"] = "404" },
                "gitlab" => new JsonObject { ["message"] = "404 Project Not Found" },
                _ => new JsonObject { ["errors"] = new JsonArray(), ["message"] = "The target couldn't be found.", ["url"] = "https://gitea.example.com/api/swagger" },
            });
            return;
        }

        if (repo.ApiStatus == 403)
        {
            await Json(context, 403, provider switch
            {
                "github" => new JsonObject { ["message"] = "Resource not accessible by personal access token", ["status"] = "403" },
                "gitlab" => new JsonObject { ["error"] = "insufficient_scope", ["error_description"] = "The request requires higher privileges than provided by the access token.", ["scope"] = "api read_api" },
                _ => new JsonObject { ["message"] = "token does not have at least one of required scope(s): [read:repository]", ["url"] = "https://gitea.example.com/api/swagger" },
            });
            return;
        }

        var name = segments[^1];
        var fullName = provider == "gitlab" ? repositoryPath : $"{segments[^2]}/{segments[^1]}";
        await Json(context, 200, provider switch
        {
            "github" => new JsonObject
            {
                ["id"] = 1296269, ["node_id"] = "MDEwOlJlcG9zaXRvcnkxMjk2MjY5", ["name"] = name, ["full_name"] = fullName,
                ["private"] = repo.IsPrivate, ["visibility"] = repo.IsPrivate ? "private" : "public", ["default_branch"] = "main",
                ["permissions"] = new JsonObject { ["admin"] = false, ["maintain"] = false, ["push"] = repo.Push, ["triage"] = true, ["pull"] = true },
            },
            "gitlab" => new JsonObject
            {
                ["id"] = 3, ["name"] = name, ["path"] = name, ["path_with_namespace"] = fullName,
                ["visibility"] = repo.IsPrivate ? "private" : "public", ["default_branch"] = "main",
                ["permissions"] = new JsonObject
                {
                    ["project_access"] = new JsonObject { ["access_level"] = repo.Push ? 30 : 20, ["notification_level"] = 3 },
                    ["group_access"] = null,
                },
            },
            _ => new JsonObject
            {
                ["id"] = 7, ["name"] = name, ["full_name"] = fullName, ["private"] = repo.IsPrivate, ["internal"] = false,
                ["default_branch"] = "main",
                ["permissions"] = new JsonObject { ["admin"] = false, ["push"] = repo.Push, ["pull"] = true },
            },
        });
    }

    private static async Task Json(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _root.Dispose();
    }

    /// <summary>What the host holds and how its API answers.</summary>
    /// <param name="ApiStatus">Null: answer 200; else 403 or 404 for an authorized token.</param>
    /// <param name="GitToken">The token git accepts, when it differs from the API's.</param>
    public sealed record Repo(IReadOnlyList<string> Branches, bool IsPrivate = true, bool Push = true, int? ApiStatus = null, string? GitToken = null);
}
