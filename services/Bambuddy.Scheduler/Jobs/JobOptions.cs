using System.ComponentModel.DataAnnotations;

namespace Bambuddy.Scheduler.Jobs;

public sealed class JobOptions
{
    public const string Section = "Jobs";

    /// <summary>A running job with no progress report for this long ends failed ("worker lost").</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan WorkerLostAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the worker-lost rule is checked.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan WorkerLostCheckInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the relay looks for jobs saved but never published.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan RelayInterval { get; set; } = TimeSpan.FromSeconds(5);
}
