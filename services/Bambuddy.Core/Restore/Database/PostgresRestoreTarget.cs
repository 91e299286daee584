using System.Text.RegularExpressions;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Bambuddy;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bambuddy.Core.Restore.Database;

/// <summary>
/// Restores into a PostgreSQL installation: Prepare bulk-loads the backup into a fresh schema shaped like the
/// target's <c>public</c>; Commit swaps the schemas in one transaction, so Bambuddy sees the old data or the new.
/// </summary>
public sealed partial class PostgresRestoreTarget(string connectionString) : IRestoreTarget
{
    private const string LockTimeout = "5s";
    private const int SessionSettleAttempts = 20;
    private static readonly TimeSpan SessionSettleInterval = TimeSpan.FromMilliseconds(100);

    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
    {
        // Pooled connections of our own would count as other sessions, and a terminated one would poison the pool.
        Pooling = false,
        CommandTimeout = 0,
    }.ConnectionString;

    public static string NewSchemaName(Guid jobId) => "restore_" + jobId.ToString("N")[..16];

    public static string OldSchemaName(Guid jobId) => "restore_old_" + jobId.ToString("N")[..16];

    public async Task<SchemaCheck> CheckSchemaAsync(string backupDbPath, CancellationToken ct)
    {
        Dictionary<string, List<SqliteColumn>> backup;
        await using (var sqlite = BackupSqlite.OpenReadOnly(backupDbPath))
        {
            await sqlite.OpenAsync(ct);
            backup = await BackupSqlite.ReadTablesAsync(sqlite, ct);
        }

        await using var connection = await OpenAsync(ct);
        Dictionary<string, List<TargetColumn>> target;
        if (await HasBambuddyTablesAsync(connection, ct))
        {
            target = await ReadColumnsAsync(connection, "public", ct);
        }
        else
        {
            // Bambuddy's schema, made in a scratch schema and rolled back, so its catalog answers.
            var scratch = "restore_check_" + Guid.NewGuid().ToString("N")[..16];
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await ExecuteAsync(connection, $"CREATE SCHEMA {Quote(scratch)}; SET LOCAL search_path TO {Quote(scratch)}", ct);
            foreach (var statement in BambuddySchema.PostgresTablesAndIndexes)
            {
                await ExecuteAsync(connection, statement, ct);
            }

            target = await ReadColumnsAsync(connection, scratch, ct);
            await transaction.RollbackAsync(ct);
        }

        return BackupSqlite.Compare(backup, target.ToDictionary(
            t => t.Key,
            t => t.Value.Select(c => new SqliteColumn(c.Name, c.TypeName, c.NotNull, c.HasDefault)).ToList(),
            StringComparer.OrdinalIgnoreCase));
    }

    public async Task<IReadOnlyList<string>> OtherSessionsAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        return await OtherSessionsAsync(connection, ct);
    }

    public async Task PrepareAsync(Guid jobId, string backupDbPath, string workDirectory, IProgress<DatabaseRestoreProgress>? progress, CancellationToken ct)
    {
        var schema = NewSchemaName(jobId);
        await using var connection = await OpenAsync(ct);
        if (await SchemaExistsAsync(connection, OldSchemaName(jobId), ct))
        {
            throw new InvalidOperationException($"Job {jobId} is already committed; it cannot be prepared again.");
        }

        // A prepare that crashed half-way starts again from nothing. One transaction: a failure or a crash leaves
        // no schema behind, and the many small DDL statements share one commit.
        await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {Quote(schema)} CASCADE", ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, $"CREATE SCHEMA {Quote(schema)}", ct);
        var cloned = await HasBambuddyTablesAsync(connection, ct);
        var afterLoad = cloned
            ? await CloneTablesAsync(connection, schema, ct)
            : await CreateBambuddyTablesAsync(connection, schema, ct);

        await LoadAsync(connection, schema, backupDbPath, progress, ct);

        await ExecuteAsync(connection, $"SET LOCAL search_path TO {Quote(schema)}", ct);
        foreach (var statement in afterLoad)
        {
            if (statement.Contains("FOREIGN KEY", StringComparison.OrdinalIgnoreCase))
            {
                await AddForeignKeyAsync(connection, statement, ct);
            }
            else
            {
                await ExecuteRefusingAsync(connection, statement, ct);
            }
        }

        await ExecuteAsync(connection, "RESET search_path", ct);
        await SetSequencesAsync(connection, schema, ct);
        if (cloned)
        {
            await CopyOwnersAndGrantsAsync(connection, schema, ct);
        }

        foreach (var table in (await ReadColumnsAsync(connection, schema, ct)).Keys)
        {
            await ExecuteAsync(connection, $"ANALYZE {Quote(schema)}.{Quote(table)}", ct);
        }

        await transaction.CommitAsync(ct);
    }

    public async Task CommitAsync(Guid jobId, string workDirectory, bool force, CancellationToken ct)
    {
        var schema = NewSchemaName(jobId);
        var old = OldSchemaName(jobId);
        await using var connection = await OpenAsync(ct);
        if (await SchemaExistsAsync(connection, old, ct))
        {
            return;
        }

        if (!await SchemaExistsAsync(connection, schema, ct))
        {
            throw new DatabaseRefusedException("database", "There is no prepared schema to commit.");
        }

        var others = await SettledOtherSessionsAsync(connection, ct);
        if (others.Count > 0)
        {
            if (!force)
            {
                throw new DatabaseRefusedException("database", $"Other sessions are connected to the database ({string.Join("; ", others)}); stop Bambuddy or restore with force.");
            }

            await ExecuteAsync(connection,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                ct);
        }

        try
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await ExecuteAsync(connection, $"SET LOCAL lock_timeout = '{LockTimeout}'", ct);
            var publicSchema = await ReadSchemaPropertiesAsync(connection, "public", ct);
            await ExecuteAsync(connection, $"ALTER SCHEMA public RENAME TO {Quote(old)}; ALTER SCHEMA {Quote(schema)} RENAME TO public", ct);
            if (publicSchema is not null)
            {
                await ExecuteAsync(connection, $"ALTER SCHEMA public OWNER TO {publicSchema.Owner}", ct);
                foreach (var grant in publicSchema.Grants)
                {
                    await ExecuteAsync(connection, $"GRANT {grant.Privilege} ON SCHEMA public TO {grant.Grantee}{(grant.Grantable ? " WITH GRANT OPTION" : "")}", ct);
                }

                await ExecuteAsync(connection, $"COMMENT ON SCHEMA public IS {(publicSchema.Comment is null ? "NULL" : Literal(publicSchema.Comment))}", ct);
            }

            await transaction.CommitAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            throw new DatabaseRefusedException("database", $"The schemas could not be swapped within {LockTimeout}: another session holds a lock.");
        }
    }

    public async Task RevertAsync(Guid jobId, string workDirectory, CancellationToken ct)
    {
        var old = OldSchemaName(jobId);
        await using var connection = await OpenAsync(ct);
        if (!await SchemaExistsAsync(connection, old, ct))
        {
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, $"SET LOCAL lock_timeout = '{LockTimeout}'", ct);
        await ExecuteAsync(connection, $"ALTER SCHEMA public RENAME TO {Quote(NewSchemaName(jobId))}; ALTER SCHEMA {Quote(old)} RENAME TO public", ct);
        await transaction.CommitAsync(ct);
    }

    public async Task DiscardAsync(Guid jobId, string workDirectory, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {Quote(NewSchemaName(jobId))} CASCADE; DROP SCHEMA IF EXISTS {Quote(OldSchemaName(jobId))} CASCADE", ct);
    }

    /// <summary>
    /// The target's public tables again in <paramref name="schema"/>: columns, types, NOT NULL, defaults, checks,
    /// identity, and serial columns with sequences of their own. Returns what is added after the load: keys,
    /// indexes and foreign keys, as the catalog prints them, to run with <c>search_path</c> = the new schema.
    /// </summary>
    private static async Task<List<string>> CloneTablesAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var target = Quote(schema);
        var tables = await ReadListAsync(connection,
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY c.relname",
            r => r.GetString(0), ct);
        foreach (var table in tables)
        {
            await ExecuteAsync(connection,
                $"CREATE TABLE {target}.{Quote(table)} (LIKE public.{Quote(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY " +
                "INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION)",
                ct);
        }

        var sequences = await ReadListAsync(connection,
            """
            SELECT t.relname, a.attname, s.relname, format_type(q.seqtypid, NULL), q.seqincrement, q.seqmin, q.seqmax, q.seqstart, q.seqcycle
            FROM pg_depend d
            JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
            JOIN pg_sequence q ON q.seqrelid = s.oid
            JOIN pg_class t ON t.oid = d.refobjid AND t.relkind = 'r'
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
            WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'a' AND t.relnamespace = 'public'::regnamespace
            ORDER BY 1, 2
            """,
            r => (Table: r.GetString(0), Column: r.GetString(1), Sequence: r.GetString(2), Type: r.GetString(3),
                Increment: r.GetInt64(4), Min: r.GetInt64(5), Max: r.GetInt64(6), Start: r.GetInt64(7), Cycle: r.GetBoolean(8)),
            ct);
        foreach (var s in sequences)
        {
            var sequence = $"{target}.{Quote(s.Sequence)}";
            await ExecuteAsync(connection,
                $"CREATE SEQUENCE {sequence} AS {s.Type} INCREMENT BY {s.Increment} MINVALUE {s.Min} MAXVALUE {s.Max} START WITH {s.Start} {(s.Cycle ? "CYCLE" : "NO CYCLE")} " +
                $"OWNED BY {target}.{Quote(s.Table)}.{Quote(s.Column)}; " +
                $"ALTER TABLE {target}.{Quote(s.Table)} ALTER COLUMN {Quote(s.Column)} SET DEFAULT nextval({Literal(sequence)}::regclass)",
                ct);
        }

        // Read with public first on the search path, so references to its tables come out unqualified.
        await ExecuteAsync(connection, "SET LOCAL search_path TO public", ct);
        var keys = await ReadListAsync(connection,
            """
            SELECT format('ALTER TABLE %I ADD CONSTRAINT %I %s', c.relname, con.conname, pg_get_constraintdef(con.oid))
            FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND con.contype IN ('p', 'u', 'x')
            ORDER BY c.relname, con.contype, con.conname
            """,
            r => r.GetString(0), ct);
        var indexes = await ReadListAsync(connection,
            """
            SELECT pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
            ORDER BY c.relname, ic.relname
            """,
            r => PublicTableInIndex().Replace(r.GetString(0), "$1", 1), ct);
        var foreignKeys = await ReadListAsync(connection,
            """
            SELECT format('ALTER TABLE %I ADD CONSTRAINT %I %s', c.relname, con.conname, pg_get_constraintdef(con.oid))
            FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND con.contype = 'f'
            ORDER BY c.relname, con.conname
            """,
            r => r.GetString(0), ct);
        await ExecuteAsync(connection, "RESET search_path", ct);
        return [.. keys, .. indexes, .. foreignKeys];
    }

    private static async Task<List<string>> CreateBambuddyTablesAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await ExecuteAsync(connection, $"SET LOCAL search_path TO {Quote(schema)}", ct);
        foreach (var statement in BambuddySchema.PostgresTablesAndIndexes)
        {
            await ExecuteAsync(connection, statement, ct);
        }

        await ExecuteAsync(connection, "RESET search_path", ct);
        return [.. BambuddySchema.PostgresForeignKeys];
    }

    private static async Task LoadAsync(NpgsqlConnection connection, string schema, string backupDbPath, IProgress<DatabaseRestoreProgress>? progress, CancellationToken ct)
    {
        var targetTables = await ReadColumnsAsync(connection, schema, ct);
        await using var backup = BackupSqlite.OpenReadOnly(backupDbPath);
        await backup.OpenAsync(ct);
        var backupTables = await BackupSqlite.ReadTablesAsync(backup, ct);

        var plans = new List<TablePlan>();
        foreach (var (table, columns) in targetTables.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (!backupTables.TryGetValue(table, out var backupColumns))
            {
                continue;
            }

            var sourceNames = backupColumns.ToDictionary(c => c.Name, c => c.Name, StringComparer.OrdinalIgnoreCase);
            var shared = new List<(TargetColumn Target, string Source, PostgresValueWriter Writer)>();
            foreach (var column in columns.Where(c => !c.IsGenerated && sourceNames.ContainsKey(c.Name)))
            {
                var writer = PostgresValueWriter.For(column.TypeName)
                    ?? throw new DatabaseRefusedException("schema", $"Column {table}.{column.Name} has the type {column.TypeName}, which the restore cannot fill.");
                shared.Add((column, sourceNames[column.Name], writer));
            }

            if (shared.Count > 0)
            {
                plans.Add(new TablePlan(table, backupTables[table].Any(c => c.Name == "id"), shared,
                    await SqliteCatalog.CountRowsAsync(backup, table, ct)));
            }
        }

        var total = plans.Sum(p => p.Rows);
        var done = 0L;
        foreach (var plan in plans)
        {
            // Synchronous on purpose: per-value async writes would cost more than the copy itself.
            done += await Task.Run(() => CopyTable(connection, backup, schema, plan, ct), ct);
            progress?.Report(new DatabaseRestoreProgress(plan.Table, done, total));
        }
    }

    private static long CopyTable(NpgsqlConnection connection, SqliteConnection backup, string schema, TablePlan plan, CancellationToken ct)
    {
        using var select = backup.CreateCommand();
        select.CommandText = $"SELECT {(plan.HasId ? "\"id\"" : "NULL")}, {string.Join(", ", plan.Columns.Select(c => SqliteCatalog.Quote(c.Source)))} FROM {SqliteCatalog.Quote(plan.Table)}";
        using var reader = select.ExecuteReader();
        var copy = $"COPY {Quote(schema)}.{Quote(plan.Table)} ({string.Join(", ", plan.Columns.Select(c => Quote(c.Target.Name)))}) FROM STDIN (FORMAT BINARY)";
        try
        {
            using var importer = connection.BeginBinaryImport(copy);
            var row = 0L;
            while (reader.Read())
            {
                row++;
                if ((row & 0xFFFF) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                importer.StartRow();
                for (var i = 0; i < plan.Columns.Count; i++)
                {
                    var value = reader.GetValue(i + 1);
                    if (value is DBNull)
                    {
                        importer.WriteNull();
                        continue;
                    }

                    try
                    {
                        plan.Columns[i].Writer.Write(importer, value);
                    }
                    catch (Exception e) when (e is FormatException or OverflowException)
                    {
                        var id = reader.IsDBNull(0) ? $"row {row}" : $"id {reader.GetValue(0)}";
                        var reason = e is OverflowException ? $"{PostgresValueWriter.Kind(value)} out of range for {plan.Columns[i].Target.TypeName}" : e.Message;
                        throw new DatabaseRefusedException("database", $"{plan.Table}.{plan.Columns[i].Target.Name} ({id}) holds {reason}.");
                    }
                }
            }

            return (long)importer.Complete();
        }
        catch (PostgresException e)
        {
            // The context names the row and column ("COPY t, line 5, column c"), in text COPY followed by the value: keep only the place.
            var where = CopyContext().Match(e.Where ?? "");
            var place = where.Success ? $"{plan.Table}.{where.Groups[2].Value} (row {where.Groups[1].Value})" : plan.Table;
            throw new DatabaseRefusedException("database", $"Loading {place} failed: {Describe(e)}");
        }
    }

    private static async Task SetSequencesAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var sequences = await ReadListAsync(connection,
            """
            SELECT format('SELECT setval(%L::regclass, GREATEST(COALESCE((SELECT max(%I) FROM %I.%I), 0) + 1, %s), false)',
                          quote_ident(n.nspname) || '.' || quote_ident(s.relname), a.attname, n.nspname, t.relname, q.seqmin)
            FROM pg_depend d
            JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
            JOIN pg_sequence q ON q.seqrelid = s.oid
            JOIN pg_namespace n ON n.oid = s.relnamespace
            JOIN pg_class t ON t.oid = d.refobjid
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
            WHERE d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND n.nspname = @schema
            """,
            r => r.GetString(0), ct, ("schema", schema));
        foreach (var statement in sequences)
        {
            await ExecuteAsync(connection, statement, ct);
        }
    }

    /// <summary>Each new table and sequence gets the owner and the grants of its namesake in <c>public</c>.</summary>
    private static async Task CopyOwnersAndGrantsAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var statements = await ReadListAsync(connection,
            """
            SELECT format('ALTER %s %I.%I OWNER TO %I', CASE o.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, @schema, o.relname, pg_get_userbyid(o.relowner))
            FROM pg_class o JOIN pg_class n ON n.relname = o.relname AND n.relkind = o.relkind AND n.relnamespace = @schema::regnamespace
            WHERE o.relnamespace = 'public'::regnamespace AND o.relkind IN ('r', 'S')
            UNION ALL
            SELECT format('GRANT %s ON %s %I.%I TO %s%s', g.privilege_type, CASE o.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, @schema, o.relname,
                          CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END,
                          CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
            FROM pg_class o JOIN pg_class n ON n.relname = o.relname AND n.relkind = o.relkind AND n.relnamespace = @schema::regnamespace
            CROSS JOIN LATERAL aclexplode(o.relacl) g
            WHERE o.relnamespace = 'public'::regnamespace AND o.relkind IN ('r', 'S')
            """,
            r => r.GetString(0), ct, ("schema", schema));

        // Owners first (the UNION ALL keeps them first in practice, but order is not guaranteed).
        foreach (var statement in statements.OrderBy(s => s.StartsWith("GRANT", StringComparison.Ordinal) ? 1 : 0))
        {
            await ExecuteAsync(connection, statement, ct);
        }
    }

    private static async Task<SchemaProperties?> ReadSchemaPropertiesAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var owner = await ReadListAsync(connection,
            "SELECT quote_ident(pg_get_userbyid(nspowner)), obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = @schema",
            r => (Owner: r.GetString(0), Comment: r.IsDBNull(1) ? null : r.GetString(1)), ct, ("schema", schema));
        if (owner.Count == 0)
        {
            return null;
        }

        var grants = await ReadListAsync(connection,
            """
            SELECT g.privilege_type, CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END, g.is_grantable
            FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) g WHERE n.nspname = @schema
            """,
            r => new SchemaGrant(r.GetString(0), r.GetString(1), r.GetBoolean(2)), ct, ("schema", schema));
        return new SchemaProperties(owner[0].Owner, owner[0].Comment, grants);
    }

    private static async Task<Dictionary<string, List<TargetColumn>>> ReadColumnsAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var rows = await ReadListAsync(connection,
            """
            SELECT c.relname, a.attname, bt.typname, a.attnotnull, a.atthasdef OR a.attidentity <> '', a.attgenerated <> ''
            FROM pg_class c
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            JOIN pg_type t ON t.oid = a.atttypid
            JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
            WHERE c.relnamespace = @schema::regnamespace AND c.relkind = 'r'
            ORDER BY c.relname, a.attnum
            """,
            r => (Table: r.GetString(0), Column: new TargetColumn(r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetBoolean(4), r.GetBoolean(5))),
            ct, ("schema", schema));
        var tables = new Dictionary<string, List<TargetColumn>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (table, column) in rows)
        {
            if (!tables.TryGetValue(table, out var columns))
            {
                tables[table] = columns = [];
            }

            columns.Add(column);
        }

        return tables;
    }

    private static async Task<IReadOnlyList<string>> OtherSessionsAsync(NpgsqlConnection connection, CancellationToken ct) =>
        await ReadListAsync(connection,
            """
            SELECT format('pid %s, application %s, client %s', pid, coalesce(nullif(application_name, ''), '-'), coalesce(host(client_addr), 'local'))
            FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            ORDER BY pid
            """,
            r => r.GetString(0), ct);

    /// <summary>
    /// Other sessions, given a moment to go: a backend whose client just disconnected (one of ours from the
    /// previous step, say) stays in <c>pg_stat_activity</c> until its process has exited.
    /// </summary>
    private static async Task<IReadOnlyList<string>> SettledOtherSessionsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var others = await OtherSessionsAsync(connection, ct);
        for (var attempt = 0; attempt < SessionSettleAttempts && others.Count > 0; attempt++)
        {
            await Task.Delay(SessionSettleInterval, ct);
            others = await OtherSessionsAsync(connection, ct);
        }

        return others;
    }

    private static async Task<bool> HasBambuddyTablesAsync(NpgsqlConnection connection, CancellationToken ct) =>
        (await ReadListAsync(connection,
            "SELECT 1 FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname IN ('printers', 'print_archives', 'settings')",
            r => r.GetInt32(0), ct)).Count > 0;

    private static async Task<bool> SchemaExistsAsync(NpgsqlConnection connection, string schema, CancellationToken ct) =>
        (await ReadListAsync(connection, "SELECT 1 FROM pg_namespace WHERE nspname = @schema", r => r.GetInt32(0), ct, ("schema", schema))).Count > 0;

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    private static async Task<List<T>> ReadListAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read, CancellationToken ct, params (string Name, string Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var list = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(read(reader));
        }

        return list;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Keys and foreign keys fail on the backup's data (duplicates, orphans): refuse, naming the constraint.</summary>
    private static async Task ExecuteRefusingAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        try
        {
            await ExecuteAsync(connection, sql, ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation
                                              or PostgresErrorCodes.CheckViolation or PostgresErrorCodes.NotNullViolation or PostgresErrorCodes.ExclusionViolation)
        {
            throw new DatabaseRefusedException("database", $"The restored rows break a constraint: {Describe(e)}");
        }
    }

    /// <summary>
    /// A foreign key over the loaded rows. Orphans were listed by the inspector and a restore only gets here with
    /// them when the user allowed them (<c>allow_orphans</c>): such a key is then added <c>NOT VALID</c>, so the
    /// restored rows stay as they were and every new row is still checked.
    /// </summary>
    private static async Task AddForeignKeyAsync(NpgsqlConnection connection, string statement, CancellationToken ct)
    {
        await ExecuteAsync(connection, "SAVEPOINT foreign_key", ct);
        try
        {
            await ExecuteAsync(connection, statement, ct);
            await ExecuteAsync(connection, "RELEASE SAVEPOINT foreign_key", ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            await ExecuteAsync(connection, "ROLLBACK TO SAVEPOINT foreign_key", ct);
            await ExecuteAsync(connection, statement.TrimEnd().TrimEnd(';') + " NOT VALID", ct);
            await ExecuteAsync(connection, "RELEASE SAVEPOINT foreign_key", ct);
        }
    }

    /// <summary>The server's message without its detail and context, which can quote stored values.</summary>
    private static string Describe(PostgresException e) => $"{e.SqlState} {e.MessageText}";

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary><c>CREATE INDEX name ON public.t USING …</c>: the table's schema, dropped so the search path picks the new one.</summary>
    [GeneratedRegex(@"( ON (?:ONLY )?)public\.")]
    private static partial Regex PublicTableInIndex();

    [GeneratedRegex(@"^COPY [^,]+, line (\d+), column ([^:\s]+)")]
    private static partial Regex CopyContext();

    private sealed record TargetColumn(string Name, string TypeName, bool NotNull, bool HasDefault, bool IsGenerated);

    private sealed record TablePlan(string Table, bool HasId, List<(TargetColumn Target, string Source, PostgresValueWriter Writer)> Columns, long Rows);

    private sealed record SchemaGrant(string Privilege, string Grantee, bool Grantable);

    private sealed record SchemaProperties(string Owner, string? Comment, IReadOnlyList<SchemaGrant> Grants);
}
