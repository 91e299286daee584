using Bambuddy.Gateway.Proxy;
using Bambuddy.Gateway.Security;

namespace Bambuddy.Gateway.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddGatewayServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();

        builder.Services.AddProblemDetails();
        builder.Services.AddRequestTimeouts();
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        builder.Services.AddSingleton(ApiKeyStore.Load(builder.Configuration));
        builder.Services.AddReverseProxy()
            .LoadFromMemory(BackupRoutes.Routes(options), BackupRoutes.Clusters())
            .AddServiceDiscoveryDestinationResolver();
        return builder;
    }

    public static WebApplication MapBackupProxy(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayOptions>>().Value;
        app.MapReverseProxy(pipeline =>
        {
            pipeline.Use(BodyLimits.Apply(options));
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
            pipeline.Use(ForwarderProblems.Write);
        });
        return app;
    }
}
