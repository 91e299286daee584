using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bambuddy.Core.Bambuddy;

/// <summary>
/// Bambuddy's own schema (1.2.5.2), kept in this assembly, for creating it in an empty database.
/// </summary>
public static class BambuddySchema
{
    private const string SqliteResource = "Bambuddy.Core.Schema.schema-sqlite.sql";
    private const string PostgresResource = "Bambuddy.Core.Schema.schema-postgresql.sql";

    /// <summary>Type spellings of Bambuddy's DDL (longest first where one begins another) and their <c>typname</c>.</summary>
    private static readonly (string Spelling, string TypeName)[] _columnTypes =
    [
        ("SMALLSERIAL", "int2"), ("BIGSERIAL", "int8"), ("SERIAL", "int4"), ("SMALLINT", "int2"), ("INTEGER", "int4"), ("BIGINT", "int8"),
        ("BOOLEAN", "bool"), ("VARCHAR", "varchar"), ("TEXT", "text"), ("FLOAT", "float8"), ("DOUBLE PRECISION", "float8"), ("REAL", "float4"),
        ("NUMERIC", "numeric"), ("TIMESTAMP WITHOUT TIME ZONE", "timestamp"), ("TIMESTAMP WITH TIME ZONE", "timestamptz"), ("DATE", "date"),
        ("TIME WITHOUT TIME ZONE", "time"), ("JSONB", "jsonb"), ("JSON", "json"), ("BYTEA", "bytea"), ("UUID", "uuid"),
    ];

    private static readonly Lazy<string> _sqlite = new(() => Load(SqliteResource));
    private static readonly Lazy<string> _postgres = new(() => Load(PostgresResource));
    private static readonly Lazy<PostgresScript> _postgresScript = new(() => SplitPostgres(_postgres.Value));

    /// <summary>The number of tables Bambuddy's models define (FTS tables of SQLite not counted).</summary>
    public const int TableCount = 64;

    /// <summary>The SQLite schema as a new Bambuddy installation has it (tables, FTS5, triggers, indexes).</summary>
    public static string SqliteSql => _sqlite.Value;

    /// <summary>The PostgreSQL DDL as Bambuddy's models emit it.</summary>
    public static string PostgresSql => _postgres.Value;

    /// <summary>The PostgreSQL tables without their foreign keys, then the indexes: runnable in file order.</summary>
    public static IReadOnlyList<string> PostgresTablesAndIndexes => [.. _postgresScript.Value.Tables, .. _postgresScript.Value.KeysAndIndexes];

    /// <summary>The tables alone: columns, defaults and checks, without keys, unique constraints or foreign keys.</summary>
    public static IReadOnlyList<string> PostgresTables => _postgresScript.Value.Tables;

    /// <summary>
    /// Primary keys and unique constraints as <c>ALTER TABLE … ADD …</c> (named as the inline clauses would
    /// be), then the indexes: built once after a bulk load instead of row by row during it.
    /// </summary>
    public static IReadOnlyList<string> PostgresKeysAndIndexes => _postgresScript.Value.KeysAndIndexes;

    /// <summary>Every foreign key as <c>ALTER TABLE … ADD FOREIGN KEY …</c>, to run once all tables exist (or are loaded).</summary>
    public static IReadOnlyList<string> PostgresForeignKeys => _postgresScript.Value.ForeignKeys;

    /// <summary>
    /// Each table's columns as PostgreSQL's catalog has them once <see cref="PostgresTables"/> ran (name, <c>typname</c>,
    /// NOT NULL, default), in order: what a restore needs to know before it creates a table. A test holds this to a server's catalog.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<PostgresColumn>> PostgresColumns => _postgresScript.Value.Columns;

    public static async Task ApplyToSqliteAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = SqliteSql;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Creates the schema in the connection's current schema, in one transaction. The file's foreign keys
    /// reference tables created later and form a cycle (library_files, library_folders, print_archives),
    /// so every foreign key is added after all tables.
    /// </summary>
    public static async Task ApplyToPostgresAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch)
        {
            foreach (var statement in PostgresTablesAndIndexes.Concat(PostgresForeignKeys))
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static string Load(string name)
    {
        using var stream = typeof(BambuddySchema).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static PostgresScript SplitPostgres(string sql)
    {
        var tables = new List<string>();
        var keys = new List<string>();
        var indexes = new List<string>();
        var foreignKeys = new List<string>();
        var columns = new Dictionary<string, IReadOnlyList<PostgresColumn>>(StringComparer.OrdinalIgnoreCase);
        foreach (var statement in SplitStatements(sql))
        {
            const string createTable = "CREATE TABLE ";
            if (!statement.StartsWith(createTable, StringComparison.OrdinalIgnoreCase))
            {
                indexes.Add(statement);
                continue;
            }

            var open = statement.IndexOf('(');
            var close = statement.LastIndexOf(')');
            var table = statement[createTable.Length..open].Trim();
            var kept = new List<string>();
            var tableColumns = new List<PostgresColumn>();
            foreach (var clause in SplitTopLevel(statement[(open + 1)..close]))
            {
                if (IsTableConstraint(clause, "FOREIGN"))
                {
                    foreignKeys.Add($"ALTER TABLE {table} ADD {clause}");
                }
                else if (IsTableConstraint(clause, "PRIMARY") || IsTableConstraint(clause, "UNIQUE"))
                {
                    keys.Add($"ALTER TABLE {table} ADD {clause}");
                }
                else
                {
                    kept.Add(clause);
                    var isCheck = clause.StartsWith("CHECK", StringComparison.OrdinalIgnoreCase) && clause[5..].TrimStart().StartsWith('(');
                    if (!isCheck && !clause.StartsWith("CONSTRAINT ", StringComparison.OrdinalIgnoreCase))
                    {
                        tableColumns.Add(ParseColumn(table, clause));
                    }
                }
            }

            columns[table] = tableColumns;
            tables.Add($"{statement[..(open + 1)]}\n\t{string.Join(",\n\t", kept)}\n)");
        }

        return new PostgresScript(tables, [.. keys, .. indexes], foreignKeys, columns);
    }

    /// <summary>
    /// <c>name TYPE [DEFAULT …] [NOT NULL]</c> as SQLAlchemy writes a column, its type spelled as the catalog's <c>typname</c>.
    /// A type not listed here is a schema this code was not written for: it throws rather than guess.
    /// </summary>
    private static PostgresColumn ParseColumn(string table, string clause)
    {
        var space = clause.IndexOfAny([' ', '\t', '\n']);
        var name = clause[..space].Trim('"');
        var definition = clause[space..].Trim();
        var upper = definition.ToUpperInvariant();
        string[] serials = ["SERIAL", "BIGSERIAL", "SMALLSERIAL"];
        var serial = serials.Any(s => upper == s || upper.StartsWith(s + " ", StringComparison.Ordinal));
        var type = _columnTypes.FirstOrDefault(t => upper.StartsWith(t.Spelling, StringComparison.Ordinal)
                                                   && (upper.Length == t.Spelling.Length || upper[t.Spelling.Length] is ' ' or '('));
        if (type.TypeName is null)
        {
            throw new InvalidOperationException($"Bambuddy's schema gives {table}.{name} a type this restore does not know: '{definition}'.");
        }

        return new PostgresColumn(name, type.TypeName, serial || upper.Contains(" NOT NULL", StringComparison.Ordinal) || upper.StartsWith("NOT NULL", StringComparison.Ordinal),
            serial || upper.Contains(" DEFAULT ", StringComparison.Ordinal));
    }

    /// <summary>A table constraint whose kind starts with <paramref name="keyword"/> (FOREIGN, PRIMARY, UNIQUE), named or not; a column so named is not one.</summary>
    private static bool IsTableConstraint(string clause, string keyword)
    {
        var text = clause.TrimStart();
        if (text.StartsWith("CONSTRAINT ", StringComparison.OrdinalIgnoreCase))
        {
            // CONSTRAINT name KEYWORD …
            var parts = text.Split((char[]?)null, 4, StringSplitOptions.RemoveEmptyEntries);
            return parts.Length > 3 && parts[2].Equals(keyword, StringComparison.OrdinalIgnoreCase);
        }

        var kind = keyword.Equals("UNIQUE", StringComparison.OrdinalIgnoreCase) ? "UNIQUE" : keyword + " KEY";
        return text.StartsWith(kind, StringComparison.OrdinalIgnoreCase) && text[kind.Length..].TrimStart().StartsWith('(');
    }

    /// <summary>Statements split at semicolons outside quotes; comment lines dropped.</summary>
    private static IEnumerable<string> SplitStatements(string sql)
    {
        var current = new StringBuilder();
        foreach (var line in sql.Split('\n'))
        {
            if (line.TrimStart().StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }

            current.Append(line).Append('\n');
        }

        foreach (var part in SplitTopLevel(current.ToString(), ';'))
        {
            if (part.Length > 0)
            {
                yield return part;
            }
        }
    }

    /// <summary>Splits at a separator outside parentheses and quotes, trimming each part.</summary>
    private static List<string> SplitTopLevel(string text, char separator = ',')
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                depth--;
            }
            else if (c == separator && depth == 0)
            {
                parts.Add(text[start..i].Trim());
                start = i + 1;
            }
        }

        parts.Add(text[start..].Trim());
        parts.RemoveAll(p => p.Length == 0);
        return parts;
    }

    private sealed record PostgresScript(IReadOnlyList<string> Tables, IReadOnlyList<string> KeysAndIndexes, IReadOnlyList<string> ForeignKeys,
        IReadOnlyDictionary<string, IReadOnlyList<PostgresColumn>> Columns);
}

/// <summary>A column of Bambuddy's PostgreSQL schema as the server's catalog describes it.</summary>
/// <param name="TypeName">The catalog's <c>typname</c> (<c>int4</c>, <c>varchar</c>, <c>timestamp</c>, …).</param>
public sealed record PostgresColumn(string Name, string TypeName, bool NotNull, bool HasDefault);
