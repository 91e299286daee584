namespace Bambuddy.Contracts;

/// <summary>A restore succeeded; Bambuddy must be restarted.</summary>
public sealed record RestoreCompleted(Guid JobId, string Message, IReadOnlyList<string> Warnings, DateTimeOffset At);
