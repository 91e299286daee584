using Npgsql;

namespace Bambuddy.Scheduler.Jobs;

/// <summary>Creates the scheduler's tables in <c>backupdb</c> before anything else starts; safe with several replicas.</summary>
public sealed class JobSchema(NpgsqlDataSource dataSource, ILogger<JobSchema> logger) : IHostedService
{
    private const string Ddl = """
        SELECT pg_advisory_xact_lock(7301001);
        CREATE TABLE IF NOT EXISTS jobs (
            id              uuid PRIMARY KEY,
            kind            text NOT NULL,
            trigger         text NOT NULL,
            state           text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
            parent_id       uuid REFERENCES jobs (id),
            created_at      timestamptz NOT NULL DEFAULT now(),
            started_at      timestamptz,
            finished_at     timestamptz,
            published_at    timestamptz,
            last_report_at  timestamptz,
            command_type    text NOT NULL,
            command         jsonb NOT NULL,
            progress        jsonb,
            result          jsonb,
            error_step      text,
            error_reason    text,
            warnings        jsonb NOT NULL DEFAULT '[]'::jsonb
        );
        ALTER TABLE jobs ADD COLUMN IF NOT EXISTS cancel_requested_at timestamptz;
        CREATE INDEX IF NOT EXISTS ix_jobs_unpublished ON jobs (created_at) WHERE published_at IS NULL;
        CREATE INDEX IF NOT EXISTS ix_jobs_active ON jobs (state) WHERE state IN ('queued', 'running');
        """;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(Ddl + LocalBackups.LocalBackupSettingsStore.Ddl + GitBackups.GitBackupSchema.Ddl, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Job tables are ready");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
