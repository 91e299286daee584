using System.ComponentModel.DataAnnotations;

namespace Bambuddy.GitSync.Hosting;

/// <summary>Bounds for talking to a repository host (section <c>GitSync</c>).</summary>
public sealed class GitHostingOptions
{
    public const string Section = "GitSync";

    /// <summary>How long the provider's API and the git endpoint each may take to answer a connection test.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan GitHostTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
