namespace Bambuddy.Scheduler.Restores;

/// <summary>Why an upload was not accepted: the HTTP status to answer and the reason, for problem+json.</summary>
public sealed record UploadFailure(int Status, string Title, string Reason);
