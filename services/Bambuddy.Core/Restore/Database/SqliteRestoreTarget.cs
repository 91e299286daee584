using System.Globalization;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Bambuddy;
using Microsoft.Data.Sqlite;

namespace Bambuddy.Core.Restore.Database;

/// <summary>
/// Restores into a SQLite installation. Prepare builds a new file with the target's schema and the backup's
/// rows; Commit copies it into the live file with SQLite's online backup API, in one step, through SQLite
/// itself (so WAL readers and writers see a consistent switch; a rename is not safe: Bambuddy #1211).
/// </summary>
public sealed class SqliteRestoreTarget(string livePath) : IRestoreTarget
{
    private const int BusyTimeoutMilliseconds = 60_000;

    public async Task<SchemaCheck> CheckSchemaAsync(string backupDbPath, CancellationToken ct)
    {
        await using var backup = BackupSqlite.OpenReadOnly(backupDbPath);
        await backup.OpenAsync(ct);
        await using var schema = await OpenSchemaSourceAsync(ct);
        return BackupSqlite.Compare(await BackupSqlite.ReadTablesAsync(backup, ct), await BackupSqlite.ReadTablesAsync(schema, ct));
    }

    public Task<IReadOnlyList<string>> OtherSessionsAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<string>>([]);

    public async Task PrepareAsync(Guid jobId, string backupDbPath, string workDirectory, IProgress<DatabaseRestoreProgress>? progress, CancellationToken ct)
    {
        Directory.CreateDirectory(workDirectory);
        var path = RestorePath(workDirectory, jobId);
        DeleteDatabase(path);
        try
        {
            await BuildAsync(path, backupDbPath, progress, ct);
        }
        catch (SqliteException e)
        {
            DeleteDatabase(path);
            // SQLite's messages name constraints and columns (NOT NULL constraint failed: t.c), never values.
            throw new DatabaseRefusedException("database", $"The backup's rows do not fit the target's schema: {e.Message}");
        }
        catch
        {
            DeleteDatabase(path);
            throw;
        }
    }

    public async Task CommitAsync(Guid jobId, string workDirectory, bool force, CancellationToken ct)
    {
        var restore = RestorePath(workDirectory, jobId);
        var previous = PreviousPath(workDirectory, jobId);
        if (!File.Exists(restore))
        {
            throw new DatabaseRefusedException("database", "There is no prepared database to commit.");
        }

        // Saved once: a roll-forward after a crash must not overwrite the real previous data with the restored.
        if (!File.Exists(previous))
        {
            var partial = previous + ".partial";
            DeleteDatabase(partial);
            if (File.Exists(livePath))
            {
                await CopyAsync(livePath, partial, ct);
            }
            else
            {
                await using var empty = Open(partial, SqliteOpenMode.ReadWriteCreate);
                await empty.OpenAsync(ct);
                await BackupSqlite.ExecuteAsync(empty, "PRAGMA user_version = 0; VACUUM", ct);
            }

            File.Move(partial, previous);
        }

        await CopyAsync(restore, livePath, ct);
    }

    public async Task RevertAsync(Guid jobId, string workDirectory, CancellationToken ct)
    {
        var previous = PreviousPath(workDirectory, jobId);
        if (File.Exists(previous))
        {
            await CopyAsync(previous, livePath, ct);
        }
    }

    public Task DiscardAsync(Guid jobId, string workDirectory, CancellationToken ct)
    {
        DeleteDatabase(RestorePath(workDirectory, jobId));
        DeleteDatabase(PreviousPath(workDirectory, jobId));
        DeleteDatabase(PreviousPath(workDirectory, jobId) + ".partial");
        return Task.CompletedTask;
    }

    private static string RestorePath(string workDirectory, Guid jobId) => Path.Combine(workDirectory, $"restore-{jobId:N}.db");

    private static string PreviousPath(string workDirectory, Guid jobId) => Path.Combine(workDirectory, $"previous-{jobId:N}.db");

    private async Task BuildAsync(string path, string backupDbPath, IProgress<DatabaseRestoreProgress>? progress, CancellationToken ct)
    {
        await using var schema = await OpenSchemaSourceAsync(ct);
        var pageSize = Convert.ToInt64(await BackupSqlite.ScalarAsync(schema, "PRAGMA page_size", ct), CultureInfo.InvariantCulture);
        var userVersion = Convert.ToInt64(await BackupSqlite.ScalarAsync(schema, "PRAGMA user_version", ct), CultureInfo.InvariantCulture);
        var objects = await ReadSchemaObjectsAsync(schema, ct);
        var targetTables = await BackupSqlite.ReadTablesAsync(schema, ct);

        await using var target = Open(path, SqliteOpenMode.ReadWriteCreate);
        await target.OpenAsync(ct);
        // The online backup into a WAL-mode live file needs equal page sizes.
        await BackupSqlite.ExecuteAsync(target, $"PRAGMA page_size = {pageSize}; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF", ct);
        await BackupSqlite.ExecuteAsync(target, $"PRAGMA user_version = {userVersion}", ct);

        // Tables first; indexes and triggers after the load (faster, and the FTS index is rebuilt once).
        foreach (var item in objects.Where(o => o.Type == "table"))
        {
            await BackupSqlite.ExecuteAsync(target, item.Sql, ct);
        }

        await BackupSqlite.ExecuteAsync(target, $"ATTACH DATABASE {Literal(backupDbPath)} AS b", ct);
        Dictionary<string, List<SqliteColumn>> backupTables;
        await using (var backup = BackupSqlite.OpenReadOnly(backupDbPath))
        {
            await backup.OpenAsync(ct);
            backupTables = await BackupSqlite.ReadTablesAsync(backup, ct);
        }

        var shared = targetTables.Keys.Where(backupTables.ContainsKey).Order(StringComparer.Ordinal).ToList();
        var total = 0L;
        foreach (var table in shared)
        {
            total += Convert.ToInt64(await BackupSqlite.ScalarAsync(target, $"SELECT count(*) FROM b.{SqliteCatalog.Quote(table)}", ct), CultureInfo.InvariantCulture);
        }

        var done = 0L;
        await using (var transaction = await target.BeginTransactionAsync(ct))
        {
            foreach (var table in shared)
            {
                ct.ThrowIfCancellationRequested();
                var backupNames = backupTables[table].ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
                var columns = targetTables[table].Where(c => backupNames.ContainsKey(c.Name)).ToList();
                await using var insert = target.CreateCommand();
                insert.Transaction = (SqliteTransaction)transaction;
                insert.CommandText = $"INSERT INTO main.{SqliteCatalog.Quote(table)} ({string.Join(", ", columns.Select(c => SqliteCatalog.Quote(c.Name)))}) " +
                                     $"SELECT {string.Join(", ", columns.Select(c => SelectExpression(c, SqliteCatalog.Quote(backupNames[c.Name].Name))))} FROM b.{SqliteCatalog.Quote(table)}";
                done += await insert.ExecuteNonQueryAsync(ct);
                progress?.Report(new DatabaseRestoreProgress(table, done, total));
            }

            await transaction.CommitAsync(ct);
        }

        await BackupSqlite.ExecuteAsync(target, "DETACH DATABASE b", ct);
        foreach (var item in objects.Where(o => o.Type != "table"))
        {
            await BackupSqlite.ExecuteAsync(target, item.Sql, ct);
        }

        // External-content FTS tables (archive_fts) index the restored rows only when rebuilt; a backup made
        // from PostgreSQL has no index at all.
        foreach (var fts in objects.Where(o => o.Type == "table" && o.IsExternalContentFts))
        {
            await BackupSqlite.ExecuteAsync(target, $"INSERT INTO {SqliteCatalog.Quote(fts.Name)}({SqliteCatalog.Quote(fts.Name)}) VALUES('rebuild')", ct);
        }

        await BackupSqlite.ExecuteAsync(target, "PRAGMA journal_mode = DELETE", ct);
    }

    /// <summary>SQLite's affinity converts most values on insert; booleans written as text are the exception.</summary>
    private static string SelectExpression(SqliteColumn column, string quoted) =>
        column.DeclaredType.Equals("BOOLEAN", StringComparison.OrdinalIgnoreCase)
            ? $"CASE WHEN typeof({quoted}) = 'text' AND lower({quoted}) IN ('true', 't') THEN 1 WHEN typeof({quoted}) = 'text' AND lower({quoted}) IN ('false', 'f') THEN 0 ELSE {quoted} END"
            : quoted;

    /// <summary>The target's schema: the live file's, or Bambuddy's (in memory) when it is missing or empty.</summary>
    private async Task<SqliteConnection> OpenSchemaSourceAsync(CancellationToken ct)
    {
        if (File.Exists(livePath))
        {
            var live = Open(livePath, SqliteOpenMode.ReadOnly);
            await live.OpenAsync(ct);
            await BackupSqlite.ExecuteAsync(live, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}", ct);
            if (await BackupSqlite.HasTableAsync(live, "printers", ct))
            {
                return live;
            }

            await live.DisposeAsync();
        }

        var memory = new SqliteConnection("Data Source=:memory:");
        await memory.OpenAsync(ct);
        await BambuddySchema.ApplyToSqliteAsync(memory, ct);
        return memory;
    }

    /// <summary>
    /// The schema's objects in creation order: tables (virtual ones too, their shadow tables are made by them),
    /// then indexes, triggers and views. SQLite's own tables and automatic indexes are left out.
    /// </summary>
    private static async Task<List<SchemaObject>> ReadSchemaObjectsAsync(SqliteConnection connection, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT m.type, m.name, m.sql
            FROM sqlite_master m
            WHERE m.sql IS NOT NULL AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
              AND NOT EXISTS (SELECT 1 FROM pragma_table_list t WHERE t.schema = 'main' AND t.name = m.name AND t.type = 'shadow')
            ORDER BY CASE m.type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, m.rowid
            """;
        var objects = new List<SchemaObject>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            objects.Add(new SchemaObject(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return objects;
    }

    private static async Task CopyAsync(string sourcePath, string targetPath, CancellationToken ct)
    {
        await using var source = Open(sourcePath, SqliteOpenMode.ReadWrite);
        await using var target = Open(targetPath, SqliteOpenMode.ReadWriteCreate);
        await source.OpenAsync(ct);
        await target.OpenAsync(ct);
        await BackupSqlite.ExecuteAsync(source, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}", ct);
        await BackupSqlite.ExecuteAsync(target, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}", ct);

        // One sqlite3_backup_step(-1): the whole file under one write lock of the target, as one transaction.
        await Task.Run(() => source.BackupDatabase(target), ct);
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode) => new(new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = mode,
        Pooling = false,
    }.ToString());

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static void DeleteDatabase(string path)
    {
        foreach (var file in new[] { path, path + "-journal", path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }

    private sealed record SchemaObject(string Type, string Name, string Sql)
    {
        public bool IsExternalContentFts =>
            Sql.StartsWith("CREATE VIRTUAL TABLE", StringComparison.OrdinalIgnoreCase)
            && Sql.Contains("fts5", StringComparison.OrdinalIgnoreCase)
            && Sql.Contains("content", StringComparison.OrdinalIgnoreCase);
    }
}
