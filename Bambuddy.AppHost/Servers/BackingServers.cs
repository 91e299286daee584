namespace Bambuddy.AppHost.Servers;

/// <summary>
/// The servers every service depends on, whichever way they run. <c>WaitTarget</c> is what a service
/// waits for before it starts (a container database, or the local server that creates it).
/// </summary>
internal sealed record BackingServers(
    ConnectionTarget Bambuddy,
    ConnectionTarget BackupDb,
    ConnectionTarget Messaging);

internal sealed record ConnectionTarget(
    IResourceBuilder<IResourceWithConnectionString> Reference,
    IResourceBuilder<IResource> WaitTarget);
