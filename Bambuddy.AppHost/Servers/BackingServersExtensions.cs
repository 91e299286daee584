namespace Bambuddy.AppHost.Servers;

internal static class BackingServersExtensions
{
    /// <summary>
    /// The one place that chooses how PostgreSQL, RabbitMQ and the S3 server run. With a container engine (one that
    /// answers <c>docker info</c> within a few seconds) Aspire's container resources are used; without
    /// one, the same servers from Debian's packages run as executable resources, with the same
    /// resource names, connection names, health checks and dashboard logs. <c>BACKUP_SERVERS</c>
    /// (<c>containers</c> | <c>local</c>) overrides the detection.
    /// </summary>
    public static BackingServers AddBackingServers(this IDistributedApplicationBuilder builder, string stateDirectory)
    {
        var forced = builder.Configuration["BACKUP_SERVERS"];
        var useContainers = forced switch
        {
            "containers" => true,
            "local" => false,
            _ => ContainerRuntime.IsAvailable(TimeSpan.FromSeconds(3)),
        };

        return useContainers ? AddContainers(builder) : AddLocalExecutables(builder, stateDirectory);
    }

    private static BackingServers AddContainers(IDistributedApplicationBuilder builder)
    {
        var postgres = builder.AddPostgres("postgres").WithDataVolume();
        var bambuddy = postgres.AddDatabase("bambuddy");
        var backupDb = postgres.AddDatabase("backupdb");
        var rabbit = builder.AddRabbitMQ("rabbitmq").WithDataVolume();
        var s3 = builder.AddContainer("s3", "minio/minio").WithArgs("server", "/data")
            .WithEnvironment("MINIO_ROOT_USER", "S3RVER").WithEnvironment("MINIO_ROOT_PASSWORD", "S3RVER-minio")
            .WithHttpEndpoint(targetPort: 9000).WithVolume("bambuddy-s3", "/data");

        return new BackingServers(
            new ConnectionTarget(bambuddy, bambuddy),
            new ConnectionTarget(backupDb, backupDb),
            new ConnectionTarget(rabbit, rabbit),
            s3);
    }

    private static BackingServers AddLocalExecutables(IDistributedApplicationBuilder builder, string stateDirectory)
    {
        var serversDir = Path.Combine(stateDirectory, "servers");
        var postgres = builder.AddLocalPostgres("postgres", Path.Combine(serversDir, "postgres"), ["bambuddy", "backupdb"]);
        var rabbit = builder.AddLocalRabbitMq("rabbitmq", Path.Combine(serversDir, "rabbitmq"));
        var s3 = builder.AddLocalS3("s3", Path.Combine(serversDir, "s3"));

        return new BackingServers(
            new ConnectionTarget(postgres.Database("bambuddy"), postgres.Server),
            new ConnectionTarget(postgres.Database("backupdb"), postgres.Server),
            new ConnectionTarget(rabbit, rabbit),
            s3);
    }
}
