using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Bambuddy;
using Microsoft.Data.Sqlite;
using Npgsql;
using SQLitePCL;

namespace Bambuddy.Core.Restore.Database;

/// <summary>
/// Restores into a PostgreSQL installation: Prepare bulk-loads the backup into a fresh schema shaped like the
/// target's <c>public</c>; Commit swaps the schemas in one transaction, so Bambuddy sees the old data or the new.
/// </summary>
public sealed partial class PostgresRestoreTarget(string connectionString) : IRestoreTarget
{
    private const string LockTimeout = "5s";
    private const int BusyTimeoutMilliseconds = 60_000;

    /// <summary>Connections loading tables side by side: the server indexes one table while the next one streams in.</summary>
    private const int LoadConnections = 2;

    /// <summary>Below this many rows a table is loaded in a transaction with others of its size: its own would cost more than its rows.</summary>
    private const long SmallTableRows = 10_000;
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

    /// <summary>Where a prepare builds; renamed to <see cref="NewSchemaName"/> by its last transaction, so that one exists only complete.</summary>
    public static string PartialSchemaName(Guid jobId) => "restore_part_" + jobId.ToString("N")[..16];

    public async Task<SchemaCheck> CheckSchemaAsync(string backupDbPath, CancellationToken ct)
    {
        Dictionary<string, List<SqliteColumn>> backup;
        await using (var sqlite = BackupSqlite.OpenReadOnly(backupDbPath))
        {
            await sqlite.OpenAsync(ct);
            backup = await BackupSqlite.ReadTablesAsync(sqlite, ct);
        }

        await using var connection = await OpenAsync(ct);
        if (!await HasBambuddyTablesAsync(connection, ct))
        {
            // An empty target gets Bambuddy's schema, whose columns, NOT NULLs and defaults its SQLite twin has too
            // (a test holds the two files to that): no DDL on the target just to ask its catalog.
            return BackupSqlite.Compare(backup, await BackupSqlite.ReadBambuddyTablesAsync(ct));
        }

        var target = await ReadColumnsAsync(connection, "public", ct);
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
        var partial = PartialSchemaName(jobId);
        // Begun before the first query, which on a database this backend has not used yet waits for its catalog caches.
        await using var side = SideWork.Start(backupDbPath, () => OpenLoadersAsync(partial, ct), ct);
        await using var connection = await OpenAsync(ct);
        if (await SchemaExistsAsync(connection, OldSchemaName(jobId), ct))
        {
            throw new InvalidOperationException($"Job {jobId} is already committed; it cannot be prepared again.");
        }

        try
        {
            // Only the schema is made here: each table is created by the connection that loads it, in the transaction
            // that loads and keys it, so that creating tables (a file or more each) overlaps the loading of others. The
            // schema takes its final name in the last transaction, so a half-prepared one is never committed; what a
            // prepare that crashed or failed half-way left is dropped in the same transaction.
            var cloned = await HasBambuddyTablesAsync(connection, ct);
            await ExecuteBatchAsync(connection,
                [$"DROP SCHEMA IF EXISTS {Quote(NewSchemaName(jobId))} CASCADE", $"DROP SCHEMA IF EXISTS {Quote(partial)} CASCADE", $"CREATE SCHEMA {Quote(partial)}"], ct);
            var schema = cloned ? await ReadCloneAsync(connection, partial, ct) : await side.Bambuddy;
            await LoadAsync(connection, await side.Loaders, partial, backupDbPath, await side.Backup, schema, progress, ct);
            await side.CloseLoadersAsync();

            await using (var transaction = await connection.BeginTransactionAsync(ct))
            {
                await SetSequencesAsync(connection, partial, ct);
                if (cloned)
                {
                    await CopyOwnersAndGrantsAsync(connection, partial, ct);
                }

                // No ANALYZE: as after pg_restore, autovacuum analyzes the loaded tables within its naptime (a minute
                // by default), every loaded row counting as a change; here it would double the database step.
                await ExecuteAsync(connection, $"ALTER SCHEMA {Quote(partial)} RENAME TO {Quote(NewSchemaName(jobId))}", ct);
                await transaction.CommitAsync(ct);
            }
        }
        catch (Exception) when (connection.State == System.Data.ConnectionState.Open)
        {
            await DropPartialAsync(connection, partial);
            throw;
        }
    }

    /// <summary>
    /// What a prepare's first connection does not wait for: the backup's tables read, Bambuddy's schema parsed (unused
    /// when the target has its own), the other loading connections opened. Disposing waits for all of it, whatever its
    /// outcome (a failure is reported by the step that awaited it), and closes the loaders.
    /// </summary>
    private sealed class SideWork : IAsyncDisposable
    {
        private bool _closed;

        private SideWork(Task<BackupTables> backup, Task<SchemaPlan> bambuddy, Task<IReadOnlyList<NpgsqlConnection>> loaders) =>
            (Backup, Bambuddy, Loaders) = (backup, bambuddy, loaders);

        public Task<BackupTables> Backup { get; }

        public Task<SchemaPlan> Bambuddy { get; }

        public Task<IReadOnlyList<NpgsqlConnection>> Loaders { get; }

        public static SideWork Start(string backupDbPath, Func<Task<IReadOnlyList<NpgsqlConnection>>> openLoaders, CancellationToken ct) =>
            new(Task.Run(() => BackupTables.ReadAsync(backupDbPath, ct), ct), Task.Run(BambuddyTables, ct), Task.Run(openLoaders, ct));

        public async Task CloseLoadersAsync()
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            await Task.WhenAll(Backup, Bambuddy, Loaders).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            if (Loaders.IsCompletedSuccessfully)
            {
                foreach (var loader in Loaders.Result)
                {
                    await loader.DisposeAsync();
                }
            }
        }

        public async ValueTask DisposeAsync() => await CloseLoadersAsync();
    }

    /// <summary>What a failed prepare leaves is dropped at once; if that fails too, the next prepare or the discard drops it.</summary>
    private static async Task DropPartialAsync(NpgsqlConnection connection, string partial)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {Quote(partial)} CASCADE", timeout.Token);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            // Left for the discard.
        }
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
        await ExecuteAsync(connection,
            $"DROP SCHEMA IF EXISTS {Quote(PartialSchemaName(jobId))} CASCADE; DROP SCHEMA IF EXISTS {Quote(NewSchemaName(jobId))} CASCADE; " +
            $"DROP SCHEMA IF EXISTS {Quote(OldSchemaName(jobId))} CASCADE",
            ct);
    }

    /// <summary>
    /// How to make the target's public tables again in <paramref name="schema"/>: columns, types, NOT NULL, defaults,
    /// checks, identity, and serial columns with sequences of their own; then keys, indexes and foreign keys, as the
    /// catalog prints them, to run with <c>search_path</c> = the new schema.
    /// </summary>
    private static async Task<SchemaPlan> ReadCloneAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var target = Quote(schema);
        var creates = (await ReadListAsync(connection,
                "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY c.relname",
                r => r.GetString(0), ct))
            .ToDictionary(table => table, table => new List<string>
            {
                $"CREATE TABLE {target}.{Quote(table)} (LIKE public.{Quote(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY " +
                "INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION)",
            }, StringComparer.Ordinal);

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
            creates[s.Table].Add(
                $"CREATE SEQUENCE {sequence} AS {s.Type} INCREMENT BY {s.Increment} MINVALUE {s.Min} MAXVALUE {s.Max} START WITH {s.Start} {(s.Cycle ? "CYCLE" : "NO CYCLE")} " +
                $"OWNED BY {target}.{Quote(s.Table)}.{Quote(s.Column)}");
            creates[s.Table].Add($"ALTER TABLE {target}.{Quote(s.Table)} ALTER COLUMN {Quote(s.Column)} SET DEFAULT nextval({Literal(sequence)}::regclass)");
        }

        // Read with public first on the search path, so references to its tables come out unqualified.
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, "SET LOCAL search_path TO public", ct);
        var keys = await ReadListAsync(connection,
            """
            SELECT c.relname, format('ALTER TABLE %I ADD CONSTRAINT %I %s', c.relname, con.conname, pg_get_constraintdef(con.oid))
            FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND con.contype IN ('p', 'u', 'x')
            ORDER BY c.relname, con.contype, con.conname
            """,
            r => (Table: r.GetString(0), Statement: r.GetString(1)), ct);
        var indexes = await ReadListAsync(connection,
            """
            SELECT c.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
            ORDER BY c.relname, ic.relname
            """,
            r => (Table: r.GetString(0), Statement: PublicTableInIndex().Replace(r.GetString(1), "$1", 1)), ct);
        var foreignKeys = await ReadListAsync(connection,
            """
            SELECT c.relname, p.relname, format('ALTER TABLE %I ADD CONSTRAINT %I %s', c.relname, con.conname, pg_get_constraintdef(con.oid))
            FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_class p ON p.oid = con.confrelid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND con.contype = 'f'
            ORDER BY c.relname, con.conname
            """,
            r => new ForeignKey(r.GetString(0), r.GetString(1), r.GetString(2)), ct);
        await transaction.CommitAsync(ct);

        // LIKE makes each column as it is in public: its catalog entry is the new table's.
        var columns = await ReadColumnsAsync(connection, "public", ct);
        return new SchemaPlan(creates.ToDictionary(c => c.Key, c => (IReadOnlyList<string>)c.Value, StringComparer.OrdinalIgnoreCase), columns, [.. keys, .. indexes], foreignKeys);
    }

    /// <summary>How to make Bambuddy's own schema, for a target without one; its columns come from the schema file, parsed as the catalog has them.</summary>
    private static SchemaPlan BambuddyTables()
    {
        var creates = BambuddySchema.PostgresTables.ToDictionary(statement =>
        {
            var table = CreatedTable().Match(statement);
            return table.Success ? table.Groups[1].Value : throw new InvalidOperationException($"No table in Bambuddy's statement '{statement}'.");
        }, statement => (IReadOnlyList<string>)[statement], StringComparer.OrdinalIgnoreCase);
        var columns = BambuddySchema.PostgresColumns.ToDictionary(
            t => t.Key,
            t => t.Value.Select(c => new TargetColumn(c.Name, c.TypeName, c.NotNull, c.HasDefault, IsGenerated: false)).ToList(),
            StringComparer.OrdinalIgnoreCase);
        var keys = BambuddySchema.PostgresKeysAndIndexes.Select(statement =>
        {
            var table = KeyTable().Match(statement);
            return table.Success
                ? (table.Groups[1].Value, statement)
                : throw new InvalidOperationException($"No table in Bambuddy's key or index statement '{statement}'.");
        }).ToList();
        var foreignKeys = BambuddySchema.PostgresForeignKeys.Select(statement =>
        {
            var tables = ForeignKeyTables().Match(statement);
            return tables.Success
                ? new ForeignKey(tables.Groups[1].Value, tables.Groups[2].Value, statement)
                : throw new InvalidOperationException($"No tables in Bambuddy's foreign key statement '{statement}'.");
        }).ToList();
        return new SchemaPlan(creates, columns, keys, foreignKeys);
    }

    /// <summary>
    /// Every table of the new schema, in the transactions <see cref="Group"/> makes: created, the backup's rows by binary
    /// COPY, then the keys and indexes, built once over the loaded rows; and the foreign keys. Two connections share
    /// the work, so the server creates or indexes tables on one while rows stream in on the other.
    /// </summary>
    private static async Task LoadAsync(NpgsqlConnection connection, IReadOnlyList<NpgsqlConnection> loaders, string schema, string backupDbPath, BackupTables backup,
        SchemaPlan schemaPlan, IProgress<DatabaseRestoreProgress>? progress, CancellationToken ct)
    {
        var keysByTable = schemaPlan.Keys.ToLookup(k => k.Table, k => k.Statement, StringComparer.OrdinalIgnoreCase);
        var plans = new List<TablePlan>();
        foreach (var (table, creates) in schemaPlan.Creates)
        {
            var shared = new List<(TargetColumn Target, string Source, PostgresCopyType Type)>();
            var hasId = false;
            if (backup.Columns.TryGetValue(table, out var backupColumns))
            {
                var sourceNames = backupColumns.ToDictionary(c => c.Name, c => c.Name, StringComparer.OrdinalIgnoreCase);
                foreach (var column in schemaPlan.Columns.GetValueOrDefault(table, []).Where(c => !c.IsGenerated && sourceNames.ContainsKey(c.Name)))
                {
                    var type = PostgresValueWriter.For(column.TypeName)
                        ?? throw new DatabaseRefusedException("schema", $"Column {table}.{column.Name} has the type {column.TypeName}, which the restore cannot fill.");
                    shared.Add((column, sourceNames[column.Name], type));
                }

                hasId = backupColumns.Any(c => c.Name == "id");
            }

            var rows = shared.Count > 0 ? backup.Rows[table] : 0;
            plans.Add(new TablePlan(table, creates, hasId, shared, rows, [.. keysByTable[table]]));
        }

        var queue = new Queue<IReadOnlyList<TablePlan>>(Group(plans));
        var total = plans.Sum(p => p.Rows);
        var done = 0L;
        var gate = new Lock();
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);

        // A foreign key is added as soon as its two tables are loaded and keyed, ahead of the tables still waiting, so
        // that checking it overlaps the loading of the others. Each runs in a transaction of its own: one that waits
        // for a lock on a parent table another key shares waits for that one statement only.
        var waiting = schemaPlan.ForeignKeys.ToList();
        var ready = new Queue<ForeignKey>();
        var loaded = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var tablesLeft = plans.Count;
        if (tablesLeft == 0)
        {
            waiting.ForEach(ready.Enqueue);
            waiting.Clear();
        }

        using var wake = new SemaphoreSlim(0);

        void Loaded(string table)
        {
            lock (gate)
            {
                loaded.Add(table);
                tablesLeft--;
                // Once every table is in, any key still waiting (its table is not one of them) is tried and fails by name.
                foreach (var key in waiting.Where(k => tablesLeft == 0 || (loaded.Contains(k.Table) && loaded.Contains(k.References))).ToList())
                {
                    waiting.Remove(key);
                    ready.Enqueue(key);
                }
            }

            wake.Release(LoadConnections);
        }

        async Task WorkAsync(NpgsqlConnection target)
        {
            await using var sqlite = BackupSqlite.OpenReadOnly(backupDbPath);
            await sqlite.OpenAsync(failed.Token);
            // Steps go straight to SQLite, past Microsoft.Data.Sqlite's own retries: a WAL database opened by two
            // readers at once can answer SQLITE_BUSY for a moment, which SQLite's busy handler then waits out.
            await BackupSqlite.ExecuteAsync(sqlite, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}", failed.Token);
            while (true)
            {
                ForeignKey? foreignKey;
                IReadOnlyList<TablePlan>? group = null;
                bool finished;
                lock (gate)
                {
                    if (!ready.TryDequeue(out foreignKey))
                    {
                        queue.TryDequeue(out group);
                    }

                    finished = foreignKey is null && group is null && tablesLeft == 0 && ready.Count == 0;
                }

                if (finished)
                {
                    return;
                }

                if (foreignKey is not null)
                {
                    await AddForeignKeyAsync(target, foreignKey.Statement, failed.Token);
                    continue;
                }

                if (group is null)
                {
                    // The other connection is still loading a table some keys wait for.
                    await wake.WaitAsync(failed.Token);
                    continue;
                }

                await using (var transaction = await target.BeginTransactionAsync(failed.Token))
                {
                    await ExecuteBatchAsync(target, group.SelectMany(p => p.Creates), failed.Token);
                    foreach (var plan in group.Where(p => p.Rows > 0))
                    {
                        // Synchronous on purpose: per-value async writes would cost more than the copy itself.
                        var copied = await Task.Run(() => CopyTable(target, sqlite, schema, plan, failed.Token), failed.Token);
                        lock (gate)
                        {
                            done += copied;
                            progress?.Report(new DatabaseRestoreProgress(plan.Table, done, total));
                        }
                    }

                    await ExecuteRefusingAsync(target, group.SelectMany(p => p.Keys), failed.Token);
                    await transaction.CommitAsync(failed.Token);
                }

                foreach (var plan in group)
                {
                    Loaded(plan.Table);
                }
            }
        }

        async Task RunAsync(Func<Task> work)
        {
            try
            {
                await work();
            }
            catch
            {
                // The other connections stop at their next step; the first failure is the one reported.
                await failed.CancelAsync();
                throw;
            }
        }

        async Task ShareAsync(IReadOnlyList<NpgsqlConnection> connections, Func<NpgsqlConnection, Task> work)
        {
            var workers = connections.Select(c => RunAsync(() => work(c))).ToList();
            try
            {
                await Task.WhenAll(workers);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // A connection was stopped because another one failed: report the failure, not the stop.
                var reason = workers.Select(t => t.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException);
                if (reason is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(reason);
                }

                throw;
            }
        }

        // The other loaders were opened with the new schema as their search path.
        await ExecuteAsync(connection, $"SET search_path TO {Quote(schema)}", ct);
        await ShareAsync([connection, .. loaders], WorkAsync);
        await ExecuteAsync(connection, "RESET search_path", ct);
    }

    /// <summary>
    /// The load's transactions, in the order the connections take them: the largest table first; then every table
    /// without rows, made and keyed in one transaction beside it (creating tables is catalog and file-system work that
    /// a second session does not make faster, so it runs once, beside a load, rather than split over both connections);
    /// then the other large tables, largest first, each alone; then the small ones, shared out over the connections,
    /// each share loaded and keyed in one transaction.
    /// </summary>
    private static List<IReadOnlyList<TablePlan>> Group(IReadOnlyList<TablePlan> plans)
    {
        var large = plans.Where(p => p.Rows >= SmallTableRows)
            .OrderByDescending(p => p.Rows * Math.Max(1, p.Columns.Count)).ThenBy(p => p.Table, StringComparer.Ordinal)
            .Select(p => (IReadOnlyList<TablePlan>)[p]).ToList();
        var empty = plans.Where(p => p.Rows == 0).OrderBy(p => p.Table, StringComparer.Ordinal).ToList();
        var small = plans.Where(p => p.Rows is > 0 and < SmallTableRows)
            .OrderByDescending(p => p.Rows * Math.Max(1, p.Columns.Count)).ThenBy(p => p.Table, StringComparer.Ordinal)
            .Select((p, i) => (Plan: p, Share: i % LoadConnections))
            .GroupBy(p => p.Share, p => p.Plan)
            .Select(g => (IReadOnlyList<TablePlan>)[.. g]);
        return [.. large.Take(1), .. empty.Count > 0 ? [empty] : Array.Empty<IReadOnlyList<TablePlan>>(), .. large.Skip(1), .. small];
    }

    /// <summary>The loading connections besides the prepare's own, their search path the new schema; none opened if one fails.</summary>
    private async Task<IReadOnlyList<NpgsqlConnection>> OpenLoadersAsync(string schema, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(_connectionString) { SearchPath = schema };
        var opening = Enumerable.Range(1, LoadConnections - 1).Select(async _ =>
        {
            var loader = new NpgsqlConnection(builder.ConnectionString);
            try
            {
                await loader.OpenAsync(ct);
                return loader;
            }
            catch
            {
                await loader.DisposeAsync();
                throw;
            }
        }).ToList();
        try
        {
            return await Task.WhenAll(opening);
        }
        catch
        {
            foreach (var opened in opening.Where(t => t.IsCompletedSuccessfully))
            {
                await opened.Result.DisposeAsync();
            }

            throw;
        }
    }



    /// <summary>
    /// One table through a raw binary COPY: rows stepped straight from SQLite (no data reader, no boxed values)
    /// and encoded into the COPY stream by <see cref="PostgresValueWriter"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long CopyTable(NpgsqlConnection connection, SqliteConnection backup, string schema, TablePlan plan, CancellationToken ct)
    {
        var select = $"SELECT {(plan.HasId ? "\"id\"" : "NULL")}, {string.Join(", ", plan.Columns.Select(c => SqliteCatalog.Quote(c.Source)))} FROM {SqliteCatalog.Quote(plan.Table)}";
        var database = backup.Handle!;
        var rc = raw.sqlite3_prepare_v2(database, select, out var statement);
        using var _ = statement;
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(database).utf8_to_string(), rc);
        }

        var copy = $"COPY {Quote(schema)}.{Quote(plan.Table)} ({string.Join(", ", plan.Columns.Select(c => Quote(c.Target.Name)))}) FROM STDIN (FORMAT BINARY)";
        NpgsqlRawCopyStream? stream = null;
        try
        {
            stream = connection.BeginRawBinaryCopy(copy);
            var writer = new PostgresCopyWriter(stream);
            writer.WriteHeader();
            var row = 0L;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                row++;
                if ((row & 0xFFFF) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                writer.StartRow(plan.Columns.Count);
                var values = new SqliteRow(statement);
                for (var i = 0; i < plan.Columns.Count; i++)
                {
                    var column = i + 1;
                    var storage = values.Type(column);
                    if (storage == raw.SQLITE_NULL)
                    {
                        writer.WriteNull();
                        continue;
                    }

                    try
                    {
                        PostgresValueWriter.Write(writer, values, column, storage, plan.Columns[i].Type);
                    }
                    catch (Exception e) when (e is FormatException or OverflowException)
                    {
                        var id = values.Type(0) == raw.SQLITE_NULL ? $"row {row}" : $"id {PostgresValueWriter.Box(values, 0, values.Type(0))}";
                        var reason = e is OverflowException ? $"{PostgresValueWriter.Kind(storage)} out of range for {plan.Columns[i].Target.TypeName}" : e.Message;
                        throw new DatabaseRefusedException("database", $"{plan.Table}.{plan.Columns[i].Target.Name} ({id}) holds {reason}.");
                    }
                }
            }

            if (rc != raw.SQLITE_DONE)
            {
                throw new SqliteException(raw.sqlite3_errmsg(database).utf8_to_string(), rc);
            }

            writer.Complete();
            var ending = stream;
            stream = null;
            // Ending the COPY is where the server reports a row it refused.
            ending.Dispose();
            return row;
        }
        catch (PostgresException e)
        {
            // The context names the row and column ("COPY t, line 5, column c"), in text COPY followed by the value: keep only the place.
            var where = CopyContext().Match(e.Where ?? "");
            var place = where.Success ? $"{plan.Table}.{where.Groups[2].Value} (row {where.Groups[1].Value})" : plan.Table;
            throw new DatabaseRefusedException("database", $"Loading {place} failed: {Describe(e)}");
        }
        finally
        {
            if (stream is not null)
            {
                Abandon(stream);
            }
        }
    }

    /// <summary>A COPY stopped by a refused value, a read error or a cancellation is cancelled, never ended: no partial table is loaded.</summary>
    private static void Abandon(NpgsqlRawCopyStream stream)
    {
        try
        {
            stream.Cancel();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or ObjectDisposedException)
        {
            // The transaction is rolled back by the caller either way.
        }

        stream.Dispose();
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
        await ExecuteBatchAsync(connection, sequences, ct);
    }

    /// <summary>Each new table and sequence gets the owner and the grants of its namesake in <c>public</c>.</summary>
    private static async Task CopyOwnersAndGrantsAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var statements = await ReadListAsync(connection,
            """
            SELECT CASE o.relkind WHEN 'S' THEN 1 ELSE 0 END,
                   format('ALTER %s %I.%I OWNER TO %I', CASE o.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, @schema, o.relname, pg_get_userbyid(o.relowner))
            FROM pg_class o JOIN pg_class n ON n.relname = o.relname AND n.relkind = o.relkind AND n.relnamespace = @schema::regnamespace
            WHERE o.relnamespace = 'public'::regnamespace AND o.relkind IN ('r', 'S')
            UNION ALL
            SELECT 2, format('GRANT %s ON %s %I.%I TO %s%s', g.privilege_type, CASE o.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, @schema, o.relname,
                          CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END,
                          CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
            FROM pg_class o JOIN pg_class n ON n.relname = o.relname AND n.relkind = o.relkind AND n.relnamespace = @schema::regnamespace
            CROSS JOIN LATERAL aclexplode(o.relacl) g
            WHERE o.relnamespace = 'public'::regnamespace AND o.relkind IN ('r', 'S')
            ORDER BY 1
            """,
            r => r.GetString(1), ct, ("schema", schema));

        // Tables' owners first: that moves their serial sequences along, which refuse an owner of their own
        // ("cannot change owner of sequence") unless it already is the table's; then the grants.
        await ExecuteBatchAsync(connection, statements, ct);
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

    /// <summary>Statements in one round trip.</summary>
    private static async Task ExecuteBatchAsync(NpgsqlConnection connection, IEnumerable<string> statements, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var statement in statements)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Keys fail on the backup's data (duplicates, a NULL): refuse, naming the constraint.</summary>
    private static async Task ExecuteRefusingAsync(NpgsqlConnection connection, IEnumerable<string> statements, CancellationToken ct)
    {
        try
        {
            await ExecuteBatchAsync(connection, statements, ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation
                                              or PostgresErrorCodes.CheckViolation or PostgresErrorCodes.NotNullViolation or PostgresErrorCodes.ExclusionViolation)
        {
            throw new DatabaseRefusedException("database", $"The restored rows break a constraint: {Describe(e)}");
        }
    }

    /// <summary>
    /// A foreign key over the loaded rows, in a transaction of its own. Orphans were listed by the inspector and a
    /// restore only gets here with them when the user allowed them (<c>allow_orphans</c>): such a key is then added
    /// <c>NOT VALID</c>, so the restored rows stay as they were and every new row is still checked. Two keys whose
    /// tables reference each other can deadlock across the two connections; the server stops one, which tries again.
    /// </summary>
    private static async Task AddForeignKeyAsync(NpgsqlConnection connection, string statement, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAsync(connection, statement, ct);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
            {
                await ExecuteAsync(connection, statement.TrimEnd().TrimEnd(';') + " NOT VALID", ct);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 3)
            {
                // Tried again once the other connection's statement is through.
            }
        }
    }

    /// <summary>The server's message without its detail and context, which can quote stored values.</summary>
    private static string Describe(PostgresException e) => $"{e.SqlState} {e.MessageText}";

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary><c>CREATE INDEX name ON public.t USING …</c>: the table's schema, dropped so the search path picks the new one.</summary>
    [GeneratedRegex(@"( ON (?:ONLY )?)public\.")]
    private static partial Regex PublicTableInIndex();

    /// <summary>The table of <c>ALTER TABLE t ADD …</c> or <c>CREATE [UNIQUE] INDEX i ON t (…)</c> in Bambuddy's schema file.</summary>
    [GeneratedRegex(@"^(?:ALTER TABLE|CREATE (?:UNIQUE )?INDEX \S+ ON) ([A-Za-z_][A-Za-z0-9_]*)[\s(]")]
    private static partial Regex KeyTable();

    /// <summary>The table of <c>CREATE TABLE t (…)</c> in Bambuddy's schema file.</summary>
    [GeneratedRegex(@"^CREATE TABLE ([A-Za-z_][A-Za-z0-9_]*)[\s(]")]
    private static partial Regex CreatedTable();

    /// <summary>The two tables of <c>ALTER TABLE t ADD [CONSTRAINT n] FOREIGN KEY(…) REFERENCES p (…)</c> in Bambuddy's schema file.</summary>
    [GeneratedRegex(@"^ALTER TABLE ([A-Za-z_][A-Za-z0-9_]*) ADD .*?REFERENCES ([A-Za-z_][A-Za-z0-9_]*)\s*\(", RegexOptions.Singleline)]
    private static partial Regex ForeignKeyTables();

    [GeneratedRegex(@"^COPY [^,]+, line (\d+), column ([^:\s]+)")]
    private static partial Regex CopyContext();

    private sealed record TargetColumn(string Name, string TypeName, bool NotNull, bool HasDefault, bool IsGenerated);

    /// <summary>One table's transaction: <paramref name="Creates"/>, the backup's rows by COPY, then <paramref name="Keys"/>.</summary>
    private sealed record TablePlan(string Table, IReadOnlyList<string> Creates, bool HasId, List<(TargetColumn Target, string Source, PostgresCopyType Type)> Columns, long Rows,
        List<string> Keys);

    /// <summary>
    /// The new schema: per table, the statements that create it and the columns they make; each table's keys and indexes
    /// (built after its rows), and the foreign keys (once both of their tables are in).
    /// </summary>
    private sealed record SchemaPlan(IReadOnlyDictionary<string, IReadOnlyList<string>> Creates, Dictionary<string, List<TargetColumn>> Columns,
        List<(string Table, string Statement)> Keys, List<ForeignKey> ForeignKeys);

    /// <summary>A foreign key of <paramref name="Table"/> to <paramref name="References"/>: it can be added once both are loaded and keyed.</summary>
    private sealed record ForeignKey(string Table, string References, string Statement);

    private sealed record SchemaGrant(string Privilege, string Grantee, bool Grantable);

    private sealed record SchemaProperties(string Owner, string? Comment, IReadOnlyList<SchemaGrant> Grants);
}
