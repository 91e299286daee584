using Npgsql;

namespace Bambuddy.Core.Jobs;

/// <summary>
/// The workers' read-only view of the scheduler's job table, for idempotency: a command redelivered
/// for a job that already ended is acknowledged and changes nothing.
/// </summary>
public sealed class JobLedger(NpgsqlDataSource dataSource)
{
    /// <summary>The job's state, or null when the scheduler has no such job.</summary>
    public async Task<string?> GetStateAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT state FROM jobs WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>Whether someone asked to cancel the job (<c>POST /jobs/{id}/cancel</c>), or it already ended.</summary>
    public async Task<bool> IsCancelRequestedAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT cancel_requested_at IS NOT NULL OR state IN ('succeeded', 'failed', 'cancelled') FROM jobs WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>The job's state, its result's <c>filename</c> and its error reason; null when the scheduler has no such job.</summary>
    public async Task<JobOutcome?> GetOutcomeAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT state, result ->> 'filename', error_reason FROM jobs WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new JobOutcome(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
    }

    public async Task<bool> HasEndedAsync(Guid jobId, CancellationToken cancellationToken)
        => await GetStateAsync(jobId, cancellationToken) is { } state && JobStates.IsTerminal(state);
}

/// <summary>Where a job stands, as another worker waiting on it needs to know.</summary>
public sealed record JobOutcome(string State, string? FileName, string? ErrorReason);
