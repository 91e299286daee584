namespace Bambuddy.Contracts;

/// <summary>Export the installation's profiles and data to the configured git repository.</summary>
public sealed record RunGitBackup(Guid JobId, string Trigger, DateTimeOffset RequestedAt);
