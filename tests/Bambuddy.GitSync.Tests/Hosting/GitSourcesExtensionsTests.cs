using Bambuddy.GitSync.Cloud;
using Bambuddy.GitSync.Hosting;
using Bambuddy.GitSync.KProfiles;
using Bambuddy.GitSync.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bambuddy.GitSync.Tests.Hosting;

public sealed class GitSourcesExtensionsTests
{
    [Fact]
    public void TheThreeSourcesResolveWithTheirOptionsFromTheGitSyncSection()
    {
        using var services = Provider(new Dictionary<string, string?>
        {
            ["GitSync:PrinterMqttPort"] = "18883",
            ["GitSync:BambuCloudBaseUrl"] = "https://api.bambulab.cn",
            ["GitSync:GitHostTimeout"] = "00:00:05",
        });

        Assert.IsType<MqttKProfileSource>(services.GetRequiredService<IKProfileSource>());
        Assert.IsType<BambuCloudProfileSource>(services.GetRequiredService<ICloudProfileSource>());
        Assert.IsType<GitHosting>(services.GetRequiredService<IGitHosting>());
        Assert.Equal(18883, services.GetRequiredService<IOptions<KProfileOptions>>().Value.PrinterMqttPort);
        Assert.Equal(TimeSpan.FromSeconds(20), services.GetRequiredService<IOptions<KProfileOptions>>().Value.PrinterReadTimeout);
        Assert.Equal("https://api.bambulab.cn", services.GetRequiredService<IOptions<BambuCloudOptions>>().Value.BambuCloudBaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(5), services.GetRequiredService<IOptions<GitHostingOptions>>().Value.GitHostTimeout);
    }

    [Fact]
    public void AnInvalidPortIsRefusedByValidation()
    {
        using var services = Provider(new Dictionary<string, string?> { ["GitSync:PrinterMqttPort"] = "0" });

        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<KProfileOptions>>().Value);
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGitSources(configuration);
        return services.BuildServiceProvider();
    }
}
