using System.Text.Json.Nodes;

namespace Bambuddy.Scheduler.Jobs;

/// <summary>A job as DESIGN §7 shows it.</summary>
public sealed record Job(
    Guid JobId,
    string Kind,
    string Trigger,
    string State,
    Guid? ParentId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    JobProgress Progress,
    JsonObject? Result,
    JobError? Error,
    IReadOnlyList<string> Warnings);
