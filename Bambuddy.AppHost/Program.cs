using Bambuddy.AppHost;
using Bambuddy.AppHost.Servers;

var builder = DistributedApplication.CreateBuilder(args);

var stateDirectory = builder.ResolveStateDirectory();
if (!builder.TryValidateInstallation(stateDirectory, out var installation))
{
    return 2;
}

var servers = builder.AddBackingServers(stateDirectory);
var demo = builder.AddDemoInstallation(stateDirectory, installation, servers);

var scheduler = builder.AddBackupService<Projects.Bambuddy_Scheduler>("scheduler", stateDirectory, installation, servers, demo);
builder.AddBackupService<Projects.Bambuddy_ArchivePackager>("archive-packager", stateDirectory, installation, servers, demo);
builder.AddBackupService<Projects.Bambuddy_GitSync>("git-sync", stateDirectory, installation, servers, demo);
builder.AddBackupService<Projects.Bambuddy_Restore>("restore", stateDirectory, installation, servers, demo);
builder.AddGateway(stateDirectory, scheduler);

builder.Build().Run();
return 0;
