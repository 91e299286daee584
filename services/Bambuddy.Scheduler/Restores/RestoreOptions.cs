using System.ComponentModel.DataAnnotations;

namespace Bambuddy.Scheduler.Restores;

public sealed class RestoreOptions
{
    public const string Section = "Restore";

    /// <summary>The largest upload to restore; it streams to the spool folder, so this is a policy, not memory.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 64L * 1024 * 1024 * 1024;

    /// <summary>A spooled upload whose job has ended (or never existed) is swept once it is this old.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan SpoolKeepFor { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the spool folder is swept; the first sweep runs at start.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SpoolSweepInterval { get; set; } = TimeSpan.FromHours(1);
}
