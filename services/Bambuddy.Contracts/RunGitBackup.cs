namespace Bambuddy.Contracts;

/// <summary>Export the installation's profiles and data to the configured git repository.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Trigger">One of <see cref="Triggers"/>.</param>
/// <param name="Target">The repository.</param>
/// <param name="Contents">The categories to export; files of the others are deleted from the repository.</param>
/// <param name="RequestedAt">When the job was created.</param>
public sealed record RunGitBackup(
    Guid JobId,
    string Trigger,
    GitRepositoryTarget Target,
    GitBackupContents Contents,
    DateTimeOffset RequestedAt);
