using Microsoft.Extensions.Hosting;

namespace Bambuddy.Core.Catalog;

/// <summary>Creates the catalog table at start, in whichever service starts first.</summary>
public sealed class CatalogSchema(BackupCatalog catalog) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => catalog.EnsureSchemaAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
