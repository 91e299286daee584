namespace Bambuddy.AppHost.Servers;

/// <summary>
/// The servers every service depends on, whichever way they run, and the S3 server for the off-site copy. <c>WaitTarget</c> is what a service
/// waits for before it starts (a container database, or the local server that creates it).
/// </summary>
internal sealed record BackingServers(
    ConnectionTarget Bambuddy,
    ConnectionTarget BackupDb,
    ConnectionTarget Messaging,
    IResourceBuilder<IResourceWithEndpoints> S3);

internal sealed record ConnectionTarget(
    IResourceBuilder<IResourceWithConnectionString> Reference,
    IResourceBuilder<IResource> WaitTarget);
