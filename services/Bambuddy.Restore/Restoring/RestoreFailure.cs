namespace Bambuddy.Restore.Restoring;

/// <summary>A restore that stops: the step, why, and whether the backup was refused as input (400/422) rather than failing on our side (500).</summary>
public sealed class RestoreFailure(string step, string reason, bool refused) : Exception(reason)
{
    public string Step { get; } = step;

    public bool Refused { get; } = refused;
}

/// <summary>The steps a restore job names when it stops (DESIGN §5).</summary>
public static class RestoreSteps
{
    public const string Source = "source";
    public const string Validate = "validate";
    public const string Orphans = "orphans";
    public const string Schema = "schema";
    public const string Sessions = "sessions";
    public const string SafetyBackup = "safety_backup";
    public const string Database = "database";
    public const string Files = "files";
    public const string Cancelled = "cancelled";
    public const string Recovery = "recovery";
}
