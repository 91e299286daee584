using Microsoft.Data.Sqlite;

namespace Bambuddy.Core.Archive;

/// <summary>
/// Copies a live SQLite database with SQLite's online backup API: in one step, under one read
/// transaction, so the copy is consistent even while another connection writes (WAL or not).
/// </summary>
internal static class SqliteOnlineBackup
{
    private const int BusyTimeoutMilliseconds = 60_000;

    public static async Task CopyAsync(string sourcePath, string targetPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(sourcePath))
        {
            throw new FileNotFoundException($"The SQLite database '{sourcePath}' does not exist.", sourcePath);
        }

        await using var source = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = sourcePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        await using var target = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = targetPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        await source.OpenAsync(cancellationToken);
        await target.OpenAsync(cancellationToken);
        await ExecuteAsync(source, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}", cancellationToken);
        await ExecuteAsync(target, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}", cancellationToken);

        // One sqlite3_backup_step(-1): stepping in pieces would restart on every write by another connection.
        await Task.Run(() => source.BackupDatabase(target), cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        // The copy carries the source's WAL flag; a file that travels should not need a -wal beside it.
        await ExecuteAsync(target, "PRAGMA journal_mode = DELETE", cancellationToken);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
