using Bambuddy.GitSync.Cloud;
using Bambuddy.GitSync.KProfiles;
using Bambuddy.GitSync.Model;

namespace Bambuddy.GitSync.Hosting;

public static class GitSourcesExtensions
{
    /// <summary>
    /// The git backup's outside sources: K-profiles from the printers (<see cref="IKProfileSource"/>), Bambu Cloud presets
    /// (<see cref="ICloudProfileSource"/>) and the repository hosts (<see cref="IGitHosting"/>), with their options from
    /// the <c>GitSync</c> section, validated at start.
    /// </summary>
    public static IServiceCollection AddGitSources(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KProfileOptions>().Bind(configuration.GetSection(KProfileOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BambuCloudOptions>().Bind(configuration.GetSection(BambuCloudOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<GitHostingOptions>().Bind(configuration.GetSection(GitHostingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<IKProfileSource, MqttKProfileSource>();
        services.AddHttpClient<ICloudProfileSource, BambuCloudProfileSource>();
        services.AddHttpClient<IGitHosting, GitHosting>();
        return services;
    }
}
