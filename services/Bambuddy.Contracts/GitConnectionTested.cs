namespace Bambuddy.Contracts;

/// <summary>The answer to <see cref="TestGitConnection"/>, in Bambuddy's shape.</summary>
public sealed record GitConnectionTested(
    Guid JobId,
    bool Success,
    string Message,
    string? RepoName,
    IReadOnlyDictionary<string, bool>? Permissions,
    bool? IsPrivate,
    DateTimeOffset At);
