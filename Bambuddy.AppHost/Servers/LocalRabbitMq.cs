using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bambuddy.AppHost.Servers;

internal static class LocalRabbitMqExtensions
{
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    /// <summary>
    /// RabbitMQ from Debian's package as an executable resource, with its own <c>epmd</c> resource on a
    /// private port (so no <c>epmd -daemon</c> outlives the AppHost). <c>RUNNING_UNDER_SYSTEMD</c> makes
    /// the script exec the Erlang VM, so DCP tracks and stops <c>beam.smp</c> itself.
    /// </summary>
    public static IResourceBuilder<LocalRabbitMqResource> AddLocalRabbitMq(this IDistributedApplicationBuilder builder, string name, string directory)
    {
        if (!File.Exists(ServerScript))
        {
            throw new InvalidOperationException($"RabbitMQ is not installed ({ServerScript} is missing): run eng/install-deps.sh.");
        }

        var home = Path.Combine(directory, "home");
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(Path.Combine(directory, "mnesia"));
        Directory.CreateDirectory(Path.Combine(directory, "log"));
        var password = ReadOrCreateSecret(Path.Combine(directory, "password"));
        var configFile = Path.Combine(directory, "rabbitmq.conf");
        // default_user/default_pass take effect when the node's database is first created.
        File.WriteAllText(configFile, $"default_user = {LocalRabbitMqResource.UserName}\ndefault_pass = {password}\nloopback_users = none\n");
        var pluginsFile = Path.Combine(directory, "enabled_plugins");
        File.WriteAllText(pluginsFile, "[].\n");

        var distPort = TcpHealth.FreePort();
        var epmdHealthKey = $"{name}-epmd-ready";
        // DCP picks epmd's port and hands it over in ERL_EPMD_PORT, which epmd and the Erlang VM both read.
        var epmd = builder.AddExecutable($"{name}-epmd", "/usr/bin/epmd", directory, "-address", "127.0.0.1")
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "ERL_EPMD_PORT", isProxied: false)
            .WithHealthCheck(epmdHealthKey);
        var epmdEndpoint = epmd.GetEndpoint("tcp");
        builder.Services.AddHealthChecks().AddAsyncCheck(epmdHealthKey, ct => epmdEndpoint.IsAllocated
            ? TcpHealth.CheckAsync(epmdEndpoint.Port, ct)
            : Task.FromResult(HealthCheckResult.Unhealthy("epmd's port is not allocated yet")));

        builder.Configuration[$"Parameters:{name}-password"] = password;
        var passwordParameter = builder.AddParameter($"{name}-password", secret: true);
        var resource = new LocalRabbitMqResource(name, ServerScript, directory, passwordParameter.Resource);
        var healthKey = $"{name}-ready";
        var nodeName = $"bambuddy{Environment.ProcessId}@localhost";

        EndpointReference? endpoint = null;
        builder.Services.AddHealthChecks().AddAsyncCheck(healthKey, ct => AmqpCheckAsync(endpoint!, ct));
        var rabbit = builder.AddResource(resource)
            .WithEndpoint(name: LocalRabbitMqResource.EndpointName, scheme: "tcp", env: "RABBITMQ_NODE_PORT")
            .WithEnvironment("HOME", home)
            .WithEnvironment("RABBITMQ_NODENAME", nodeName)
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_DIST_PORT", distPort.ToString())
            .WithEnvironment("ERL_EPMD_PORT", epmdEndpoint.Property(EndpointProperty.TargetPort))
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(directory, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(directory, "log"))
            .WithEnvironment("RABBITMQ_LOGS", "-")
            .WithEnvironment("RABBITMQ_CONFIG_FILE", configFile)
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", pluginsFile)
            .WithEnvironment("RUNNING_UNDER_SYSTEMD", "true")
            .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}")
            .WithHealthCheck(healthKey)
            .WaitFor(epmd);
        endpoint = resource.PrimaryEndpoint;
        return rabbit;
    }

    /// <summary>Healthy when the port speaks AMQP 0-9-1: the server answers the protocol header with a method frame.</summary>
    private static async Task<HealthCheckResult> AmqpCheckAsync(EndpointReference endpoint, CancellationToken ct)
    {
        try
        {
            if (!endpoint.IsAllocated)
            {
                return HealthCheckResult.Unhealthy("endpoint not allocated yet");
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, endpoint.Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("AMQP\0\0\u0009\u0001"u8.ToArray(), timeout.Token);
            var frame = new byte[1];
            var read = await stream.ReadAsync(frame, timeout.Token);
            return read == 1 && frame[0] == 1 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("not an AMQP 0-9-1 answer");
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }

    private static string ReadOrCreateSecret(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        File.WriteAllText(path, secret);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return secret;
    }
}
