using Npgsql;

namespace Bambuddy.Core.Catalog;

/// <summary>
/// The catalog of our backups in <c>backupdb</c> (DESIGN §3). A ZIP is ours when it is catalogued;
/// anything else in an output folder (a Bambuddy-made backup, say) is listed but never pruned.
/// </summary>
public sealed class BackupCatalog(NpgsqlDataSource dataSource)
{
    private const string Ddl = """
        SELECT pg_advisory_xact_lock(7301003);
        CREATE TABLE IF NOT EXISTS backups (
            file_name    text PRIMARY KEY,
            kind         text NOT NULL,
            job_id       uuid,
            size         bigint NOT NULL,
            sha256       text NOT NULL,
            created_at   timestamptz NOT NULL,
            output_path  text NOT NULL,
            locations    text[] NOT NULL
        );
        """;

    private const string Columns = "file_name, kind, job_id, size, sha256, created_at, output_path, locations";

    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(Ddl, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task AddAsync(CatalogEntry entry, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO backups ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (file_name) DO UPDATE SET locations = EXCLUDED.locations, size = EXCLUDED.size, sha256 = EXCLUDED.sha256
            """);
        foreach (var value in new object[] { entry.FileName, entry.Kind, (object?)entry.JobId ?? DBNull.Value, entry.Size, entry.Sha256, entry.CreatedAt.UtcDateTime, entry.OutputPath, entry.Locations.ToArray() })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<CatalogEntry>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM backups ORDER BY created_at DESC, file_name DESC");
        return await ReadAllAsync(command, cancellationToken);
    }

    public async Task<CatalogEntry?> GetAsync(string fileName, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM backups WHERE file_name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = fileName });
        return (await ReadAllAsync(command, cancellationToken)).FirstOrDefault();
    }

    /// <summary>Our backups of <paramref name="kind"/>, newest first.</summary>
    public async Task<IReadOnlyList<CatalogEntry>> ListByKindAsync(string kind, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM backups WHERE kind = $1 ORDER BY created_at DESC, file_name DESC");
        command.Parameters.Add(new NpgsqlParameter { Value = kind });
        return await ReadAllAsync(command, cancellationToken);
    }

    public async Task RemoveLocationAsync(string fileName, string location, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("UPDATE backups SET locations = array_remove(locations, $2) WHERE file_name = $1")
        {
            Parameters = { new NpgsqlParameter { Value = fileName }, new NpgsqlParameter { Value = location } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM backups WHERE file_name = $1 AND cardinality(locations) = 0")
        {
            Parameters = { new NpgsqlParameter { Value = fileName } },
        });
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DeleteAsync(string fileName, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM backups WHERE file_name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = fileName });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<CatalogEntry>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var entries = new List<CatalogEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new CatalogEntry(
                reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.GetInt64(3),
                reader.GetString(4), new DateTimeOffset(reader.GetDateTime(5), TimeSpan.Zero), reader.GetString(6),
                reader.GetFieldValue<string[]>(7)));
        }

        return entries;
    }
}
