namespace Bambuddy.Scheduler.GitBackups;

/// <summary>The JSON body of <c>POST /github-backup/test</c> (never a query string: the token must not reach a URL or a log).</summary>
public sealed record GitTestRequest(
    string? Provider = null,
    string? RepositoryUrl = null,
    string? AccessToken = null,
    string? Branch = null,
    bool? AllowInsecureHttp = null)
{
    public override string ToString() => $"GitTestRequest {{ Provider = {Provider}, RepositoryUrl = {RepositoryUrl}, Branch = {Branch} }}";
}
