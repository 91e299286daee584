namespace Bambuddy.Contracts;

/// <summary>What started a job: <c>manual</c>, <c>scheduled</c>, or <c>restore</c> (a restore's safety backup).</summary>
public static class Triggers
{
    public const string Manual = "manual";
    public const string Scheduled = "scheduled";
    public const string Restore = "restore";
}
