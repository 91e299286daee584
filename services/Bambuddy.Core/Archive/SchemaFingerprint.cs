using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Bambuddy.Core.Archive;

/// <summary>
/// A database's shape as one value: the SHA-256 (lower-case hex) of its ordinary tables and their
/// columns, each sorted ordinally, one line per table (<c>table:col1,col2,…</c>). Virtual and FTS shadow
/// tables and SQLite's own are left out, so a SQLite installation and a PostgreSQL export of the same
/// Bambuddy version agree.
/// </summary>
public static class SchemaFingerprint
{
    public static async Task<string> ComputeAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var tables = await SqliteCatalog.ListTablesAsync(connection, cancellationToken);
        var text = new StringBuilder();
        foreach (var table in tables.Order(StringComparer.Ordinal))
        {
            var columns = await SqliteCatalog.ListColumnsAsync(connection, table, cancellationToken);
            text.Append(table).Append(':').AppendJoin(',', columns.Order(StringComparer.Ordinal)).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
