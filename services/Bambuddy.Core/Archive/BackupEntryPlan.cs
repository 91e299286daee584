namespace Bambuddy.Core.Archive;

/// <summary>The data entries of a backup, sorted by name, and what was left out and why.</summary>
public sealed record BackupEntryPlan(IReadOnlyList<BackupEntry> Entries, IReadOnlyList<string> Warnings)
{
    /// <summary>The sum of the entries' planned sizes.</summary>
    public long TotalBytes => Entries.Sum(e => e.Size);
}
