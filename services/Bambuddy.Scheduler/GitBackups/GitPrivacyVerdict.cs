namespace Bambuddy.Scheduler.GitBackups;

/// <summary>What the save-time test said: refuse a public repository, or save, with a warning when something is off.</summary>
public sealed record GitPrivacyVerdict(bool IsPublic, string? Warning);
