using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using Npgsql;

namespace Bambuddy.Scheduler.Jobs;

/// <summary>
/// The job table in <c>backupdb</c>. It is also the outbox: a job is saved with its command and
/// <c>published_at</c> null, then published and stamped under a row lock (DESIGN §2). Every state
/// change is a guarded UPDATE, so a job only moves forward.
/// </summary>
public sealed class JobStore(NpgsqlDataSource dataSource, JobMetrics metrics)
{
    // Jobs that touch the installation: only one at a time (DESIGN §2).
    private static readonly string[] ExclusiveKinds = [JobKinds.LocalBackup, JobKinds.DownloadBackup, JobKinds.Restore];
    private const long ExclusiveLockKey = 7301002;

    private const string SelectColumns = """
        id, kind, trigger, state, parent_id, created_at, started_at, finished_at,
        progress::text, result::text, error_step, error_reason, warnings::text
        """;

    /// <summary>Saves a queued job, or answers the running job that conflicts with it.</summary>
    public Task<JobCreation> CreateAsync(string kind, string trigger, Func<Guid, object> command, Guid? parentId, CancellationToken cancellationToken)
        => CreateAsync(Guid.CreateVersion7(), kind, trigger, command, parentId, cancellationToken);

    /// <summary>As above, with an id the caller chose (a restore names its spooled upload after its job).</summary>
    public async Task<JobCreation> CreateAsync(Guid newJobId, string kind, string trigger, Func<Guid, object> command, Guid? parentId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (jobId, conflict) = await CreateAsync(connection, transaction, newJobId, kind, trigger, command, parentId, cancellationToken);
        if (conflict is not null)
        {
            return new JobCreation(null, conflict);
        }

        await transaction.CommitAsync(cancellationToken);
        metrics.Queued(kind);
        return new JobCreation(await GetAsync(jobId, cancellationToken), null);
    }

    /// <summary>Saves a queued job inside the caller's transaction (the schedule claims its slot in the same one).</summary>
    public Task<(Guid JobId, Guid? ConflictingJobId)> CreateAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string kind, string trigger, Func<Guid, object> command, Guid? parentId, CancellationToken cancellationToken)
        => CreateAsync(connection, transaction, Guid.CreateVersion7(), kind, trigger, command, parentId, cancellationToken);

    private async Task<(Guid JobId, Guid? ConflictingJobId)> CreateAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid jobId, string kind, string trigger, Func<Guid, object> command, Guid? parentId, CancellationToken cancellationToken)
    {
        var payload = command(jobId);
        if (ExclusiveKinds.Contains(kind) && parentId is null)
        {
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock($1)", cancellationToken, ExclusiveLockKey);
            await using var running = new NpgsqlCommand(
                "SELECT id FROM jobs WHERE state IN ('queued', 'running') AND kind = ANY($1) AND parent_id IS NULL ORDER BY created_at LIMIT 1",
                connection, transaction);
            running.Parameters.Add(new NpgsqlParameter { Value = ExclusiveKinds });
            if (await running.ExecuteScalarAsync(cancellationToken) is Guid conflict)
            {
                return (jobId, conflict);
            }
        }

        await ExecuteAsync(connection, transaction,
            "INSERT INTO jobs (id, kind, trigger, state, parent_id, command_type, command) VALUES ($1, $2, $3, 'queued', $4, $5, $6::jsonb)",
            cancellationToken, jobId, kind, trigger, (object?)parentId ?? DBNull.Value, JobCommands.TypeName(payload), JobCommands.Serialize(payload));
        return (jobId, null);
    }

    /// <summary>
    /// Saves a job under an id the caller chose, once: a second call with the same id changes nothing
    /// (a redelivered request). Never a conflict (a restore's safety backup is its child). True when saved now.
    /// </summary>
    public async Task<bool> CreateOnceAsync(Guid jobId, string kind, string trigger, object command, Guid? parentId, CancellationToken cancellationToken)
    {
        var inserted = await ExecuteScalarAsync<Guid?>("""
            INSERT INTO jobs (id, kind, trigger, state, parent_id, command_type, command) VALUES ($1, $2, $3, 'queued', $4, $5, $6::jsonb)
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """, cancellationToken, jobId, kind, trigger, (object?)parentId ?? DBNull.Value, JobCommands.TypeName(command), JobCommands.Serialize(command));
        if (inserted is not null)
        {
            metrics.Queued(kind);
        }

        return inserted is not null;
    }

    /// <summary>The oldest queued or running job that touches the installation, if any (a cheap check before a long upload).</summary>
    public async Task<Guid?> GetRunningExclusiveAsync(CancellationToken cancellationToken)
        => await ExecuteScalarAsync<Guid?>(
            "SELECT id FROM jobs WHERE state IN ('queued', 'running') AND kind = ANY($1) AND parent_id IS NULL ORDER BY created_at LIMIT 1",
            cancellationToken, (object)ExclusiveKinds);

    /// <summary>
    /// Cancels a job: one no worker has started ends at once; a running one is flagged, and its worker
    /// stops, cleans up and reports it cancelled. Null when there is no such job.
    /// </summary>
    public async Task<Job?> RequestCancelAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var kind = await ExecuteScalarAsync<string>("""
            UPDATE jobs SET state = 'cancelled', finished_at = now(), error_step = 'cancelled', error_reason = 'Cancelled before a worker started it.'
            WHERE id = $1 AND state = 'queued'
            RETURNING kind
            """, cancellationToken, jobId);
        if (kind is not null)
        {
            metrics.Failed(kind);
        }

        await ExecuteScalarAsync<object>("UPDATE jobs SET cancel_requested_at = now() WHERE id = $1 AND state = 'running' AND cancel_requested_at IS NULL", cancellationToken, jobId);
        return await GetAsync(jobId, cancellationToken);
    }

    public async Task<Job?> GetLatestSucceededAsync(string kind, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {SelectColumns} FROM jobs WHERE kind = $1 AND state = 'succeeded' ORDER BY finished_at DESC LIMIT 1");
        command.Parameters.Add(new NpgsqlParameter { Value = kind });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>The newest job of these kinds, optionally only ended ones.</summary>
    public async Task<Job?> GetLatestAsync(string[] kinds, bool endedOnly, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT {SelectColumns} FROM jobs WHERE kind = ANY($1) AND parent_id IS NULL
            {(endedOnly ? "AND state IN ('succeeded', 'failed', 'cancelled')" : "AND state IN ('queued', 'running')")}
            ORDER BY created_at DESC LIMIT 1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = kinds });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<Job?> GetAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {SelectColumns} FROM jobs WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>
    /// Publishes the job's command if nobody has yet, holding the row lock while it does, so the
    /// request path and the relay never both publish it. Returns whether this call published.
    /// </summary>
    public async Task<bool> TryPublishAsync(Guid jobId, Func<object, Type, CancellationToken, Task> publish, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var select = new NpgsqlCommand(
            "SELECT command_type, command::text FROM jobs WHERE id = $1 AND published_at IS NULL AND state = 'queued' FOR UPDATE SKIP LOCKED",
            connection, transaction);
        select.Parameters.Add(new NpgsqlParameter { Value = jobId });
        string typeName, json;
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return false;
            }

            (typeName, json) = (reader.GetString(0), reader.GetString(1));
        }

        var (message, type) = JobCommands.Deserialize(typeName, json);
        await publish(message, type, cancellationToken);
        await ExecuteAsync(connection, transaction, "UPDATE jobs SET published_at = now() WHERE id = $1", cancellationToken, jobId);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<Guid>> ListUnpublishedAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id FROM jobs WHERE published_at IS NULL AND state = 'queued' AND created_at < now() - $1 ORDER BY created_at LIMIT 100");
        command.Parameters.Add(new NpgsqlParameter { Value = olderThan });
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    /// <summary>A worker reported: the job is running (if it has not ended) and its progress is recorded.</summary>
    public async Task ReportProgressAsync(Guid jobId, JobProgress progress, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(progress, JobJson.Options);
        var started = await ExecuteScalarAsync<string>("""
            UPDATE jobs SET state = 'running', started_at = COALESCE(started_at, now()), last_report_at = now(), progress = $2::jsonb
            WHERE id = $1 AND state IN ('queued', 'running')
            RETURNING (CASE WHEN started_at = now() THEN kind END)
            """, cancellationToken, jobId, json);
        if (started is not null)
        {
            metrics.Started(started);
        }
    }

    public async Task<bool> SucceedAsync(Guid jobId, JsonObject result, IReadOnlyList<string> warnings, CancellationToken cancellationToken)
    {
        var kind = await ExecuteScalarAsync<string>("""
            UPDATE jobs SET state = 'succeeded', finished_at = now(), started_at = COALESCE(started_at, now()),
                result = $2::jsonb, warnings = warnings || $3::jsonb,
                progress = jsonb_set(COALESCE(progress, '{"bytes_done":0,"bytes_total":0,"entries_done":0,"entries_total":0}'::jsonb), '{phase}', '"done"')
            WHERE id = $1 AND state IN ('queued', 'running')
            RETURNING kind
            """, cancellationToken, jobId, result.ToJsonString(), JsonSerializer.Serialize(warnings));
        if (kind is not null)
        {
            metrics.Succeeded(kind);
        }

        return kind is not null;
    }

    public async Task<bool> FailAsync(Guid jobId, string step, string reason, bool cancelled, CancellationToken cancellationToken)
    {
        var kind = await ExecuteScalarAsync<string>("""
            UPDATE jobs SET state = $4, finished_at = now(), error_step = $2, error_reason = $3
            WHERE id = $1 AND state IN ('queued', 'running')
            RETURNING kind
            """, cancellationToken, jobId, step, reason, cancelled ? JobStates.Cancelled : JobStates.Failed);
        if (kind is not null)
        {
            metrics.Failed(kind);
        }

        return kind is not null;
    }

    /// <summary>Fails a job and records a result beside the error in the same update (a restore's <c>refused</c>).</summary>
    public async Task<bool> FailAsync(Guid jobId, string step, string reason, JsonObject result, CancellationToken cancellationToken)
    {
        var kind = await ExecuteScalarAsync<string>("""
            UPDATE jobs SET state = 'failed', finished_at = now(), error_step = $2, error_reason = $3, result = $4::jsonb
            WHERE id = $1 AND state IN ('queued', 'running')
            RETURNING kind
            """, cancellationToken, jobId, step, reason, result.ToJsonString());
        if (kind is not null)
        {
            metrics.Failed(kind);
        }

        return kind is not null;
    }

    /// <summary>The worker-lost rule: running jobs with no report since <paramref name="silentFor"/> end failed.</summary>
    public async Task<IReadOnlyList<Guid>> FailLostAsync(TimeSpan silentFor, CancellationToken cancellationToken)
    {
        var minutes = Math.Max(1, (int)Math.Round(silentFor.TotalMinutes));
        var reason = $"worker lost: no progress report for {(silentFor.TotalMinutes >= 1 ? $"{minutes} minutes" : $"{silentFor.TotalSeconds:0} seconds")}";
        await using var command = dataSource.CreateCommand("""
            UPDATE jobs SET state = 'failed', finished_at = now(), error_step = 'worker', error_reason = $2
            WHERE state = 'running' AND COALESCE(last_report_at, started_at, created_at) < now() - $1
            RETURNING id, kind
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = silentFor });
        command.Parameters.Add(new NpgsqlParameter { Value = reason });
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
            metrics.Failed(reader.GetString(1));
        }

        return ids;
    }

    private static Job Read(DbDataReader reader)
    {
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : new DateTimeOffset(reader.GetDateTime(i), TimeSpan.Zero);

        // Events of one job arrive on separate queues, so a job may end before its first progress report lands.
        var progress = Text(8) is { } p ? JsonSerializer.Deserialize<JobProgress>(p, JobJson.Options)! : new JobProgress(reader.GetString(3), 0, 0, 0, 0);
        var result = Text(9) is { } r ? JsonNode.Parse(r) as JsonObject : null;
        var error = Text(10) is { } step ? new JobError(step, Text(11) ?? "") : null;
        var warnings = JsonSerializer.Deserialize<string[]>(Text(12) ?? "[]") ?? [];
        return new Job(
            reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetGuid(4),
            Time(5)!.Value, Time(6), Time(7), progress, result, error, warnings);
    }

    private async Task<T?> ExecuteScalarAsync<T>(string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await command.ExecuteScalarAsync(cancellationToken) is T typed ? typed : default;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
