using System.Collections.Concurrent;
using Bambuddy.Contracts;

namespace Bambuddy.Scheduler.Tests.GitBackups;

/// <summary>How <see cref="GitSyncStandIn"/> answers, and what it was sent.</summary>
public sealed class GitSyncBehaviour
{
    /// <summary>What the provider says about privacy; null: it cannot be told.</summary>
    public bool? IsPrivate { get; set; } = true;

    /// <summary>When privacy cannot be told, whether the worker answers at all (false: it is down).</summary>
    public bool AnswerTests { get; set; } = true;

    /// <summary>The run's end; null: the worker never answers (it died).</summary>
    public Func<Guid, GitBackupCompleted>? RunAnswer { get; set; }

    public ConcurrentQueue<TestGitConnection> Tested { get; } = new();

    public ConcurrentQueue<RunGitBackup> Runs { get; } = new();
}
