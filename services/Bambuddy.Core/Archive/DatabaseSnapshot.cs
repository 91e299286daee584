using Bambuddy.Core.Installation;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bambuddy.Core.Archive;

/// <summary>
/// A consistent copy of an installation's database as a portable SQLite file in a temp folder, ready
/// to go into a ZIP as <c>bambuddy.db</c>. From SQLite through its online backup API (never a file copy:
/// the live file may be in WAL mode and written to); from PostgreSQL through <see cref="SqliteExporter"/>.
/// Disposing it deletes the file.
/// </summary>
public sealed class DatabaseSnapshot : IDisposable
{
    private DatabaseSnapshot(string path, DatabaseBackend source, IReadOnlyDictionary<string, long> tableRowCounts, string schemaFingerprint, IReadOnlyList<string> warnings)
    {
        Path = path;
        Source = source;
        TableRowCounts = tableRowCounts;
        SchemaFingerprint = schemaFingerprint;
        Warnings = warnings;
        Size = new FileInfo(path).Length;
    }

    /// <summary>The SQLite file.</summary>
    public string Path { get; }

    public long Size { get; }

    public DatabaseBackend Source { get; }

    /// <summary><c>sqlite</c> or <c>postgresql</c>, as the manifest names the source.</summary>
    public string SourceName => Source == DatabaseBackend.Sqlite ? "sqlite" : "postgresql";

    /// <summary>Rows per table of the source (its ordinary tables; for PostgreSQL every table of <c>public</c>).</summary>
    public IReadOnlyDictionary<string, long> TableRowCounts { get; }

    /// <summary>See <see cref="Archive.SchemaFingerprint"/>.</summary>
    public string SchemaFingerprint { get; }

    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The file as a backup entry, deflated.</summary>
    public BackupEntry ToEntry() => BackupEntry.FromFile(BackupZipWriter.DatabaseEntryName, Path, Size, BackupEntryCompression.Deflate, DateTimeOffset.Now);

    /// <summary>
    /// About how many bytes the snapshot will take: the SQLite file with its WAL, or the PostgreSQL
    /// database's size (which is larger than its SQLite form, so a safe estimate).
    /// </summary>
    public static async Task<long> EstimateSizeAsync(BambuddyInstallation installation, CancellationToken cancellationToken)
    {
        if (installation.Backend == DatabaseBackend.Sqlite)
        {
            var file = new FileInfo(installation.ConnectionString);
            var wal = new FileInfo(installation.ConnectionString + "-wal");
            return (file.Exists ? file.Length : 0) + (wal.Exists ? wal.Length : 0);
        }

        await using var connection = new NpgsqlConnection(installation.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Snapshots the installation's database into a new file in <paramref name="tempDirectory"/>.</summary>
    public static async Task<DatabaseSnapshot> CreateAsync(
        BambuddyInstallation installation,
        string tempDirectory,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(tempDirectory);
        var path = System.IO.Path.Combine(System.IO.Path.GetFullPath(tempDirectory), $".bambuddy-snapshot-{Guid.NewGuid():N}.db");
        try
        {
            IReadOnlyDictionary<string, long> rowCounts;
            IReadOnlyList<string> warnings;
            if (installation.Backend == DatabaseBackend.Sqlite)
            {
                new ProgressThrottle(progress).Report(ArchivePhase.SnapshottingDatabase, 0, 0, 0, 0, force: true);
                await SqliteOnlineBackup.CopyAsync(installation.ConnectionString, path, cancellationToken);
                rowCounts = await CountRowsAsync(path, cancellationToken);
                warnings = [];
            }
            else
            {
                var export = await SqliteExporter.ExportPostgresAsync(installation.ConnectionString, path, progress, cancellationToken);
                rowCounts = export.TableRowCounts;
                warnings = export.Warnings;
            }

            string fingerprint;
            await using (var connection = OpenReadOnly(path))
            {
                await connection.OpenAsync(cancellationToken);
                fingerprint = await Archive.SchemaFingerprint.ComputeAsync(connection, cancellationToken);
            }

            return new DatabaseSnapshot(path, installation.Backend, rowCounts, fingerprint, warnings);
        }
        catch
        {
            DeleteFiles(path);
            throw;
        }
    }

    public void Dispose() => DeleteFiles(Path);

    private static async Task<IReadOnlyDictionary<string, long>> CountRowsAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = OpenReadOnly(path);
        await connection.OpenAsync(cancellationToken);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in await SqliteCatalog.ListTablesAsync(connection, cancellationToken))
        {
            counts[table] = await SqliteCatalog.CountRowsAsync(connection, table, cancellationToken);
        }

        return counts;
    }

    private static SqliteConnection OpenReadOnly(string path) => new(new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadOnly,
        Pooling = false,
    }.ToString());

    private static void DeleteFiles(string path)
    {
        foreach (var file in new[] { path, path + "-journal", path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }
}
