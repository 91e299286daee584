using Bambuddy.Gateway.Extensions;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Model;

namespace Bambuddy.Gateway.Proxy;

/// <summary>Uploads may be as large as <see cref="GatewayOptions.MaxUploadBytes"/>; every other body stays small.</summary>
public static class BodyLimits
{
    public static Func<HttpContext, Func<Task>, Task> Apply(GatewayOptions options) => (context, next) =>
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        if (route.Metadata?.ContainsKey(BackupRoutes.UploadMetadataKey) == true
            && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxUploadBytes;
        }

        return next();
    };
}
