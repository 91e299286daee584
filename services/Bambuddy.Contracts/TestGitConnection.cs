namespace Bambuddy.Contracts;

/// <summary>Check that a git repository is reachable, private and writable with a token.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Target">The repository and its (encrypted) token.</param>
public sealed record TestGitConnection(Guid JobId, GitRepositoryTarget Target);
