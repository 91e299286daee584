namespace Bambuddy.Core.Jobs;

/// <summary>Job states; a job only moves forward: queued → running → succeeded | failed | cancelled.</summary>
public static class JobStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsTerminal(string state) => state is Succeeded or Failed or Cancelled;
}
