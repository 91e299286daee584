namespace Bambuddy.Contracts;

/// <summary>Progress of a git backup, as the status text shows it.</summary>
public sealed record GitBackupProgressed(Guid JobId, string Progress, DateTimeOffset At);
