using Bambuddy.Core.Git;

namespace Bambuddy.Scheduler.GitBackups;

/// <summary>One run in <c>GET /github-backup/logs</c>: Bambuddy's fields, plus the job and where the provider shows the commit.</summary>
public sealed record GitBackupLog(
    long Id,
    int ConfigId,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    string Status,
    string Trigger,
    string? CommitSha,
    int FilesChanged,
    string? ErrorMessage,
    string? CommitUrl,
    Guid JobId)
{
    public static GitBackupLog Create(long id, int configId, DateTimeOffset startedAt, DateTimeOffset? completedAt, string status, string trigger,
        string? commitSha, int filesChanged, string? errorMessage, Guid jobId, string provider, string repositoryUrl)
        => new(id, configId, startedAt, completedAt, status, trigger, commitSha, filesChanged, errorMessage,
            GitUrl.CommitUrl(provider, repositoryUrl, commitSha), jobId);
}
