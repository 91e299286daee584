namespace Bambuddy.Restore.Restoring;

/// <summary>Where a restore is: the phase, bytes (files) and entries or rows done of total.</summary>
public sealed record RestoreProgress(string Phase, long BytesDone, long BytesTotal, int EntriesDone, int EntriesTotal);

/// <summary>The phases a restore reports, in order.</summary>
public static class RestorePhases
{
    public const string Validating = "validating";
    public const string Extracting = "extracting";
    public const string SafetyBackup = "safety_backup";
    public const string LoadingDatabase = "loading_database";
    public const string Swapping = "swapping";
    public const string CleaningUp = "cleaning_up";
}
