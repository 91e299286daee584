using Bambuddy.Core.Installation;

namespace Bambuddy.DemoData;

/// <summary>Bulk-writes the generator's tables into one backend, in one transaction.</summary>
internal abstract class DemoDatabaseWriter : IAsyncDisposable
{
    public static async Task<DemoDatabaseWriter> OpenAsync(BambuddyInstallation installation, CancellationToken cancellationToken)
    {
        DemoDatabaseWriter writer = installation.Backend == DatabaseBackend.Sqlite
            ? new SqliteDemoWriter(installation.ConnectionString)
            : new PostgresDemoWriter(installation.ConnectionString);
        try
        {
            await writer.OpenAsync(cancellationToken);
            return writer;
        }
        catch
        {
            await writer.DisposeAsync();
            throw;
        }
    }

    protected abstract Task OpenAsync(CancellationToken cancellationToken);

    public abstract Task<bool> HasTableAsync(string table, CancellationToken cancellationToken);

    public abstract Task<long> CountRowsAsync(string table, CancellationToken cancellationToken);

    public abstract Task ApplySchemaAsync(CancellationToken cancellationToken);

    public abstract Task BeginAsync(CancellationToken cancellationToken);

    public abstract Task WriteAsync(DemoTable table, CancellationToken cancellationToken);

    public abstract Task CommitAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}
