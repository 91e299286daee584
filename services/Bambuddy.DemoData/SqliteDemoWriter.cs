using System.Globalization;
using Bambuddy.Core.Bambuddy;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Bambuddy.DemoData;

/// <summary>SQLite in WAL mode, as Bambuddy runs it; one prepared INSERT per table, all in one transaction.</summary>
internal sealed class SqliteDemoWriter(string path) : DemoDatabaseWriter
{
    private readonly SqliteConnection _connection = new(new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = false,
    }.ConnectionString);

    private SqliteTransaction? _transaction;

    protected override async Task OpenAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await _connection.OpenAsync(cancellationToken);
        await ExecuteAsync("PRAGMA journal_mode=WAL", cancellationToken);
    }

    public override async Task<bool> HasTableAsync(string table, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", table);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0;
    }

    public override async Task<long> CountRowsAsync(string table, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public override Task ApplySchemaAsync(CancellationToken cancellationToken) => BambuddySchema.ApplyToSqliteAsync(_connection, cancellationToken);

    public override async Task BeginAsync(CancellationToken cancellationToken) =>
        _transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);

    /// <summary>
    /// One prepared INSERT stepped per row through SQLitePCL: Microsoft.Data.Sqlite looks every parameter up
    /// by name on each execution, which costs more than the insert itself.
    /// </summary>
    public override Task WriteAsync(DemoTable table, CancellationToken cancellationToken)
    {
        var sql = $"INSERT INTO \"{table.Name}\" ({string.Join(", ", table.Columns.Select(c => $"\"{c}\""))}) " +
                  $"VALUES ({string.Join(", ", table.Columns.Select((_, i) => $"?{i + 1}"))})";
        Check(raw.sqlite3_prepare_v2(_connection.Handle, sql, out var statement));
        using (statement)
        {
            foreach (var row in table.Rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (var i = 0; i < row.Length; i++)
                {
                    Check(Bind(statement, i + 1, row[i]));
                }

                if (raw.sqlite3_step(statement) != raw.SQLITE_DONE)
                {
                    throw new SqliteException($"{table.Name}: {raw.sqlite3_errmsg(_connection.Handle).utf8_to_string()}", raw.sqlite3_errcode(_connection.Handle));
                }

                raw.sqlite3_reset(statement);
            }
        }

        return Task.CompletedTask;
    }

    public override async Task CommitAsync(CancellationToken cancellationToken)
    {
        await _transaction!.CommitAsync(cancellationToken);
        await _transaction.DisposeAsync();
        _transaction = null;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
        }

        await _connection.DisposeAsync();
    }

    /// <summary>Values as Bambuddy (SQLAlchemy on SQLite) stores them: 0/1 booleans, datetimes as text.</summary>
    private static int Bind(sqlite3_stmt statement, int index, object? value) => value switch
    {
        null => raw.sqlite3_bind_null(statement, index),
        bool b => raw.sqlite3_bind_int64(statement, index, b ? 1 : 0),
        int i => raw.sqlite3_bind_int64(statement, index, i),
        long l => raw.sqlite3_bind_int64(statement, index, l),
        double d => raw.sqlite3_bind_double(statement, index, d),
        DateTime dt => raw.sqlite3_bind_text(statement, index, DemoValues.FormatDateTime(dt)),
        byte[] bytes => raw.sqlite3_bind_blob(statement, index, bytes),
        _ => raw.sqlite3_bind_text(statement, index, Convert.ToString(value, CultureInfo.InvariantCulture)!),
    };

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(_connection.Handle).utf8_to_string(), rc);
        }
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
