using System.Globalization;
using System.Text;
using Bambuddy.Core.Bambuddy;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Bambuddy.Core.Archive;

/// <summary>
/// Writes a PostgreSQL Bambuddy database into a fresh SQLite file as Bambuddy's own SQLite schema has it
/// (DESIGN §4): every table of the <c>public</c> schema found in the catalog, read in one consistent
/// snapshot with binary COPY and written in large transactions, values in the forms Bambuddy's SQLite
/// installations hold (booleans 0/1, datetimes as text, JSON as text, blobs).
/// </summary>
public static class SqliteExporter
{
    private const int RowsPerTransaction = 50_000;

    /// <summary>
    /// Exports the database of <paramref name="connectionString"/> into <paramref name="targetPath"/>, which
    /// must not exist. Tables Bambuddy's schema knows take their DDL from it (columns it lacks are added);
    /// other tables get DDL derived from the PostgreSQL catalog. <c>archive_fts</c> is rebuilt at the end.
    /// </summary>
    public static Task<SqliteExportResult> ExportPostgresAsync(
        string connectionString,
        string targetPath,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken) =>
        // The row loop is synchronous on purpose: per-value async reads would cost more than the copy itself.
        Task.Run(() => Export(connectionString, targetPath, progress, cancellationToken), cancellationToken);

    private static SqliteExportResult Export(string connectionString, string targetPath, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
    {
        if (File.Exists(targetPath))
        {
            throw new IOException($"The export target '{targetPath}' already exists.");
        }

        var warnings = new List<string>();
        var rowCounts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var throttle = new ProgressThrottle(progress);

        using var target = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = targetPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        target.Open();
        Execute(target, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;");
        BambuddySchema.ApplyToSqliteAsync(target, cancellationToken).GetAwaiter().GetResult();

        // Triggers (the FTS ones) would index every row twice: set aside, put back after the load, then rebuild.
        var triggers = ReadTriggers(target);
        foreach (var (name, _) in triggers)
        {
            Execute(target, $"DROP TRIGGER {SqliteCatalog.Quote(name)}");
        }

        using var source = new NpgsqlConnection(connectionString);
        source.Open();
        using var snapshot = source.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", source, snapshot))
        {
            readOnly.ExecuteNonQuery();
        }

        var tables = PostgresCatalog.ReadTables(source, snapshot);
        var known = SqliteCatalog.ListTablesAsync(target, cancellationToken).GetAwaiter().GetResult().ToHashSet(StringComparer.OrdinalIgnoreCase);
        throttle.Report(ArchivePhase.SnapshottingDatabase, 0, 0, 0, tables.Count, force: true);

        var done = 0;
        foreach (var table in tables)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (table.Columns.Count == 0)
            {
                // PostgreSQL allows a table without columns; SQLite does not, and it holds nothing to keep.
                warnings.Add($"Table {table.Name} has no columns and was left out.");
                done++;
                continue;
            }

            var targetColumns = PrepareTargetTable(target, table, known.Contains(table.Name), warnings, cancellationToken);
            rowCounts[table.Name] = CopyRows(source, target, table, targetColumns, cancellationToken);
            done++;
            throttle.Report(ArchivePhase.SnapshottingDatabase, 0, 0, done, tables.Count);
        }

        snapshot.Commit();

        foreach (var (_, sql) in triggers)
        {
            Execute(target, sql);
        }

        if (HasTable(target, "archive_fts"))
        {
            Execute(target, "INSERT INTO archive_fts(archive_fts) VALUES('rebuild')");
        }

        // A normal rollback journal from here on, as any SQLite database that is copied about should have.
        Execute(target, "PRAGMA journal_mode = DELETE");
        throttle.Report(ArchivePhase.SnapshottingDatabase, 0, 0, tables.Count, tables.Count, force: true);
        return new SqliteExportResult(rowCounts, warnings);
    }

    /// <summary>Makes sure the target table can take every source column; returns the target's columns by name.</summary>
    private static Dictionary<string, SqliteColumn> PrepareTargetTable(
        SqliteConnection target,
        PostgresCatalog.Table table,
        bool known,
        List<string> warnings,
        CancellationToken cancellationToken)
    {
        if (known)
        {
            var columns = Columns(target, table.Name, cancellationToken);
            var sourceNames = table.Columns.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var unfillable = columns.Values.Where(c => c.NotNull && !c.HasDefault && !sourceNames.Contains(c.Name)).Select(c => c.Name).ToList();
            if (unfillable.Count == 0)
            {
                foreach (var column in table.Columns.Where(c => !columns.ContainsKey(c.Name)))
                {
                    Execute(target, $"ALTER TABLE {SqliteCatalog.Quote(table.Name)} ADD COLUMN {SqliteCatalog.Quote(column.Name)} {SqliteTypeFor(column)}");
                    warnings.Add($"Column {table.Name}.{column.Name} is not in Bambuddy's schema; it was added as {SqliteTypeFor(column)}.");
                }

                return Columns(target, table.Name, cancellationToken);
            }

            warnings.Add($"Table {table.Name} lacks the required column(s) {string.Join(", ", unfillable)} of Bambuddy's schema; it was created from the PostgreSQL catalog instead.");
            Execute(target, $"DROP TABLE {SqliteCatalog.Quote(table.Name)}");
        }
        else
        {
            warnings.Add($"Table {table.Name} is not in Bambuddy's schema; it was created from the PostgreSQL catalog.");
        }

        Execute(target, DeriveCreateTable(table));
        foreach (var index in table.Indexes)
        {
            if (index.IsComplex || index.Columns.Length == 0)
            {
                warnings.Add($"Index {index.Name} on {table.Name} uses an expression or a condition and was not carried over.");
                continue;
            }

            Execute(target, $"CREATE {(index.IsUnique ? "UNIQUE " : "")}INDEX IF NOT EXISTS {SqliteCatalog.Quote(index.Name)} " +
                            $"ON {SqliteCatalog.Quote(table.Name)} ({string.Join(", ", index.Columns.Select(SqliteCatalog.Quote))})");
        }

        return Columns(target, table.Name, cancellationToken);
    }

    private static Dictionary<string, SqliteColumn> Columns(SqliteConnection target, string table, CancellationToken cancellationToken) =>
        SqliteCatalog.ListColumnDetailsAsync(target, table, cancellationToken).GetAwaiter().GetResult()
            .ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>DDL in the style SQLAlchemy emits for SQLite, from a PostgreSQL table's catalog entries.</summary>
    internal static string DeriveCreateTable(PostgresCatalog.Table table)
    {
        var lines = new List<string>();
        foreach (var column in table.Columns)
        {
            var line = new StringBuilder().Append(SqliteCatalog.Quote(column.Name)).Append(' ').Append(SqliteTypeFor(column));
            if (column.NotNull)
            {
                line.Append(" NOT NULL");
            }

            if (TranslateDefault(column.Default) is { } fallback)
            {
                line.Append(" DEFAULT ").Append(fallback);
            }

            lines.Add(line.ToString());
        }

        foreach (var constraint in table.Constraints)
        {
            var columns = string.Join(", ", constraint.Columns.Select(SqliteCatalog.Quote));
            switch (constraint.Kind)
            {
                case 'p':
                    lines.Add($"PRIMARY KEY ({columns})");
                    break;
                case 'u':
                    lines.Add($"CONSTRAINT {SqliteCatalog.Quote(constraint.Name)} UNIQUE ({columns})");
                    break;
                case 'f' when constraint.ForeignTable is not null:
                    lines.Add($"FOREIGN KEY({columns}) REFERENCES {SqliteCatalog.Quote(constraint.ForeignTable)} " +
                              $"({string.Join(", ", constraint.ForeignColumns.Select(SqliteCatalog.Quote))}){ReferentialAction("DELETE", constraint.OnDelete)}{ReferentialAction("UPDATE", constraint.OnUpdate)}");
                    break;
            }
        }

        return $"CREATE TABLE {SqliteCatalog.Quote(table.Name)} (\n\t{string.Join(", \n\t", lines)}\n)";
    }

    private static string ReferentialAction(string verb, char action) => action switch
    {
        'c' => $" ON {verb} CASCADE",
        'n' => $" ON {verb} SET NULL",
        'd' => $" ON {verb} SET DEFAULT",
        'r' => $" ON {verb} RESTRICT",
        _ => "",
    };

    /// <summary>PostgreSQL defaults SQLite can hold; sequences (an INTEGER PRIMARY KEY numbers itself) and other expressions are dropped.</summary>
    private static string? TranslateDefault(string? expression)
    {
        if (expression is null)
        {
            return null;
        }

        var text = expression.Trim();
        if (text is "now()" or "CURRENT_TIMESTAMP" or "LOCALTIMESTAMP" || text.StartsWith("timezone(", StringComparison.Ordinal))
        {
            return "CURRENT_TIMESTAMP";
        }

        if (text is "true" or "false")
        {
            return text == "true" ? "'1'" : "'0'";
        }

        var cast = text.IndexOf("::", StringComparison.Ordinal);
        var literal = cast > 0 ? text[..cast] : text;
        if (literal.Length >= 2 && literal[0] == '\'' && literal[^1] == '\'')
        {
            return literal;
        }

        return double.TryParse(literal.Trim('(', ')'), NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? literal.Trim('(', ')') : null;
    }

    /// <summary>The type SQLAlchemy declares on SQLite for a PostgreSQL column type.</summary>
    internal static string SqliteTypeFor(PostgresCatalog.Column column)
    {
        var formatted = column.FormattedType;
        var modifier = formatted.IndexOf('(') is var open and >= 0 ? formatted[open..] : "";
        return column.TypeName switch
        {
            "int2" => "SMALLINT",
            "int4" => "INTEGER",
            "int8" => "BIGINT",
            "bool" => "BOOLEAN",
            "float4" => "REAL",
            "float8" => "FLOAT",
            "numeric" => "NUMERIC" + modifier,
            "varchar" => "VARCHAR" + modifier,
            "bpchar" => "CHAR" + modifier,
            "text" or "name" or "citext" => "TEXT",
            "json" or "jsonb" => "JSON",
            "bytea" => "BLOB",
            "timestamp" or "timestamptz" => "DATETIME",
            "date" => "DATE",
            "time" => "TIME",
            "uuid" => "CHAR(32)",
            _ => "TEXT",
        };
    }

    private static long CopyRows(
        NpgsqlConnection source,
        SqliteConnection target,
        PostgresCatalog.Table table,
        Dictionary<string, SqliteColumn> targetColumns,
        CancellationToken cancellationToken)
    {
        var readers = table.Columns.Select(c => ReaderFor(c, targetColumns[c.Name])).ToArray();
        var select = string.Join(", ", table.Columns.Select((c, i) => readers[i].Select(QuotePostgres(c.Name))));
        var copy = $"COPY (SELECT {select} FROM public.{QuotePostgres(table.Name)}) TO STDOUT (FORMAT BINARY)";

        using var insert = target.CreateCommand();
        insert.CommandText = $"INSERT INTO {SqliteCatalog.Quote(table.Name)} ({string.Join(", ", table.Columns.Select(c => SqliteCatalog.Quote(c.Name)))}) " +
                             $"VALUES ({string.Join(", ", table.Columns.Select((_, i) => "$p" + i))})";
        var parameters = new SqliteParameter[table.Columns.Count];
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i] = insert.Parameters.Add("$p" + i, readers[i].Type);
        }

        var transaction = target.BeginTransaction();
        insert.Transaction = transaction;
        insert.Prepare();
        var rows = 0L;
        try
        {
            using var exporter = source.BeginBinaryExport(copy);
            while (exporter.StartRow() != -1)
            {
                for (var i = 0; i < parameters.Length; i++)
                {
                    if (exporter.IsNull)
                    {
                        exporter.Skip();
                        parameters[i].Value = DBNull.Value;
                    }
                    else
                    {
                        parameters[i].Value = readers[i].Read(exporter);
                    }
                }

                insert.ExecuteNonQuery();
                if (++rows % RowsPerTransaction == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    transaction.Commit();
                    transaction.Dispose();
                    transaction = target.BeginTransaction();
                    insert.Transaction = transaction;
                }
            }

            transaction.Commit();
        }
        finally
        {
            transaction.Dispose();
        }

        return rows;
    }

    private static ColumnReader ReaderFor(PostgresCatalog.Column column, SqliteColumn target)
    {
        var textTarget = IsTextType(target.DeclaredType);
        return column.TypeName switch
        {
            "bool" => new ColumnReader(SqliteType.Integer, static e => e.Read<bool>(NpgsqlDbType.Boolean) ? 1L : 0L),
            "int2" => new ColumnReader(SqliteType.Integer, static e => (long)e.Read<short>(NpgsqlDbType.Smallint)),
            "int4" => new ColumnReader(SqliteType.Integer, static e => (long)e.Read<int>(NpgsqlDbType.Integer)),
            "int8" => new ColumnReader(SqliteType.Integer, static e => e.Read<long>(NpgsqlDbType.Bigint)),
            "float4" => new ColumnReader(SqliteType.Real, static e => (double)e.Read<float>(NpgsqlDbType.Real)),
            "float8" => new ColumnReader(SqliteType.Real, static e => e.Read<double>(NpgsqlDbType.Double)),
            "numeric" when !textTarget => new ColumnReader(SqliteType.Real, static e => e.Read<double>(NpgsqlDbType.Double), "::float8"),
            "text" or "varchar" or "bpchar" or "name" or "citext" => new ColumnReader(SqliteType.Text, static e => e.Read<string>(NpgsqlDbType.Text)),
            "bytea" => new ColumnReader(SqliteType.Blob, static e => e.Read<byte[]>(NpgsqlDbType.Bytea)),
            "timestamp" => new ColumnReader(SqliteType.Text, static e => FormatTimestamp(e.Read<DateTime>(NpgsqlDbType.Timestamp))),
            "timestamptz" => new ColumnReader(SqliteType.Text, static e => FormatTimestamp(e.Read<DateTime>(NpgsqlDbType.TimestampTz)) + "+00:00"),
            "date" => new ColumnReader(SqliteType.Text, static e => e.Read<DateOnly>(NpgsqlDbType.Date).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            "time" => new ColumnReader(SqliteType.Text, static e => e.Read<TimeSpan>(NpgsqlDbType.Time).ToString(@"hh\:mm\:ss\.ffffff", CultureInfo.InvariantCulture)),
            "uuid" => new ColumnReader(SqliteType.Text, static e => e.Read<Guid>(NpgsqlDbType.Uuid).ToString("N")),

            // json, jsonb, numeric into a text column, and anything else: PostgreSQL's own text form.
            _ => new ColumnReader(SqliteType.Text, static e => e.Read<string>(NpgsqlDbType.Text), "::text"),
        };
    }

    /// <summary>SQLAlchemy's SQLite DATETIME storage form: always six fraction digits.</summary>
    private static string FormatTimestamp(DateTime value) => value.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    private static bool IsTextType(string declaredType) =>
        declaredType.Contains("CHAR", StringComparison.OrdinalIgnoreCase)
        || declaredType.Contains("TEXT", StringComparison.OrdinalIgnoreCase)
        || declaredType.Contains("CLOB", StringComparison.OrdinalIgnoreCase);

    private static List<(string Name, string Sql)> ReadTriggers(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name";
        using var reader = command.ExecuteReader();
        var triggers = new List<(string, string)>();
        while (reader.Read())
        {
            triggers.Add((reader.GetString(0), reader.GetString(1)));
        }

        return triggers;
    }

    private static bool HasTable(SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", name);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string QuotePostgres(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <param name="Cast">A cast applied in the COPY query, so the value arrives in a form <see cref="Read"/> can take.</param>
    private sealed record ColumnReader(SqliteType Type, Func<NpgsqlBinaryExporter, object> Read, string Cast = "")
    {
        public string Select(string quotedColumn) => quotedColumn + Cast;
    }
}
