using Bambuddy.Core.Git;
using Bambuddy.Scheduler.LocalBackups;

namespace Bambuddy.Scheduler.GitBackups;

/// <summary>The checks a git-backup configuration passes before it is saved or tested; each failure names its field.</summary>
public static class GitBackupValidation
{
    /// <summary>The first problem with <paramref name="config"/> as (field, reason), or null.</summary>
    public static (string Field, string Reason)? Check(GitBackupConfig config)
    {
        if (GitUrl.Check(config.Provider, config.RepositoryUrl, config.AllowInsecureHttp) is { } url)
        {
            return url;
        }

        if (!GitUrl.IsValidBranch(config.Branch))
        {
            return ("branch", $"branch must be a valid git branch name (no spaces, '..', '~', '^', ':', '?', '*', '[', '\\', '@{{', leading '-' or '/', trailing '/', '.' or '.lock'), got '{config.Branch}'.");
        }

        if (!BackupSchedule.Kinds.Contains(config.ScheduleType))
        {
            return ("schedule_type", $"schedule_type must be one of {string.Join(", ", BackupSchedule.Kinds)}, got '{config.ScheduleType}'.");
        }

        return null;
    }

    /// <summary>A token as given: null when it is unusable in an HTTP header (never echoing it).</summary>
    public static string? CheckToken(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return "access_token is required.";
        }

        var trimmed = token.Trim();
        return trimmed.Length > 1000 || trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            ? "access_token must be a single token of at most 1000 characters, without spaces or control characters."
            : null;
    }
}
