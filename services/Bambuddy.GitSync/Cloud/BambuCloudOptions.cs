using System.ComponentModel.DataAnnotations;

namespace Bambuddy.GitSync.Cloud;

/// <summary>Where Bambu Cloud is and how long it may take (section <c>GitSync</c>).</summary>
public sealed class BambuCloudOptions
{
    public const string Section = "GitSync";

    /// <summary>The API's base address (Bambuddy's global region; <c>https://api.bambulab.cn</c> for China).</summary>
    [Required]
    [Url]
    public string BambuCloudBaseUrl { get; set; } = "https://api.bambulab.com";

    /// <summary>The bound on reading all presets; past it the cloud profiles are left out with a warning.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan BambuCloudTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
