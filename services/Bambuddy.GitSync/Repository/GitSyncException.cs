namespace Bambuddy.GitSync.Repository;

/// <summary>A sync that failed, with the step and a reason fit to show (never the token).</summary>
/// <param name="step"><c>clone</c> (fetching the remote), <c>commit</c> or <c>push</c>.</param>
/// <param name="failure"><c>unauthorized</c>, <c>forbidden</c>, <c>not_found</c>, <c>unreachable</c>, <c>tls</c>, <c>rejected</c> or <c>git</c>.</param>
public sealed class GitSyncException(string step, string failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Step { get; } = step;

    public string Failure { get; } = failure;
}
