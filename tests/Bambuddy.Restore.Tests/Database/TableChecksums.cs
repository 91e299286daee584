using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bambuddy.Restore.Tests.Database;

/// <summary>
/// Every table's row count and a checksum of all its values, normalised so that SQLite and PostgreSQL
/// holding the same data agree: booleans as 0/1, datetimes as UTC <c>yyyy-MM-dd HH:mm:ss.ffffff</c>,
/// reals round-trip formatted, blobs as hex. Rows are sorted, so order does not matter.
/// </summary>
public static class TableChecksums
{
    private static readonly string[] _dateTimeFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:sszzz", "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
    ];

    public static async Task<SortedDictionary<string, string>> FromPostgresAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        var tables = new List<string>();
        await using (var command = new NpgsqlCommand("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname", connection))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                tables.Add(reader.GetString(0));
            }
        }

        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand($"SELECT * FROM public.\"{table}\"", connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            result[table] = await DigestAsync(reader, _ => Normalise, ct);
        }

        return result;
    }

    public static async Task<SortedDictionary<string, string>> FromSqliteAsync(string path, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        var tables = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                tables.Add(reader.GetString(0));
            }
        }

        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync(ct);
            result[table] = await DigestAsync(reader, i => NormaliserFor(reader.GetDataTypeName(i)), ct);
        }

        return result;
    }

    private static Func<object, string> NormaliserFor(string declaredType) =>
        declaredType.ToUpperInvariant() switch
        {
            "DATETIME" or "TIMESTAMP" => value => value is string s ? Normalise(ParseDateTime(s)) : Normalise(value),
            _ => Normalise,
        };

    private static DateTime ParseDateTime(string text) =>
        DateTimeOffset.ParseExact(text, _dateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime;

    private static string Normalise(object value) => value switch
    {
        DBNull => "∅",
        bool b => b ? "1" : "0",
        DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("R", CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToHexString(bytes),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static async Task<string> DigestAsync(System.Data.Common.DbDataReader reader, Func<int, Func<object, string>> normaliserFor, CancellationToken ct)
    {
        var order = Enumerable.Range(0, reader.FieldCount).OrderBy(reader.GetName, StringComparer.Ordinal).ToArray();
        var normalisers = order.Select(normaliserFor).ToArray();
        var rows = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(string.Join('\u001f', order.Select((column, i) => reader.GetName(column) + "=" + normalisers[i](reader.GetValue(column)))));
        }

        rows.Sort(StringComparer.Ordinal);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001e', rows)));
        return $"{rows.Count} rows {Convert.ToHexString(hash)[..16]}";
    }
}
