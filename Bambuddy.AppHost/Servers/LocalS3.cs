using Microsoft.Extensions.DependencyInjection;

namespace Bambuddy.AppHost.Servers;

internal static class LocalS3Extensions
{
    /// <summary>
    /// npm's s3rver (installed and patched by eng/install-s3rver.sh into eng/node/) as the local S3 for
    /// the off-site copy, run with node directly so the process DCP tracks is the server itself.
    /// Credentials are s3rver's fixed <c>S3RVER</c>/<c>S3RVER</c>: it is a loopback development server.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddLocalS3(this IDistributedApplicationBuilder builder, string name, string directory)
    {
        var script = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "eng", "node", "node_modules", "s3rver", "bin", "s3rver.js"));
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"s3rver is not installed ({script} is missing): run eng/install-deps.sh.");
        }

        Directory.CreateDirectory(directory);
        var port = TcpHealth.FreePort();
        var healthKey = $"{name}-ready";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthKey, ct => TcpHealth.CheckAsync(port, ct));
        return builder.AddExecutable(name, "node", directory, script, "-d", directory, "-a", "127.0.0.1", "-p", port.ToString(), "--silent")
            .WithHttpEndpoint(port: port, isProxied: false)
            .WithHealthCheck(healthKey);
    }
}
