using System.Diagnostics;
using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using Bambuddy.Restore.Restoring;
using MassTransit;

namespace Bambuddy.Restore.Consumers;

/// <summary>
/// Runs one restore job (DESIGN §5) and reports its end: <see cref="RestoreCompleted"/>, or
/// <see cref="RestoreFailed"/> with the step and reason (refused input or a failure of ours). A redelivered
/// command first lets the journal of a crashed attempt be replayed, then starts over or only reports.
/// </summary>
public sealed partial class RestoreBackupConsumer(JobLedger ledger, RestoreJobRunner runner, RestoreRecovery recovery, ILogger<RestoreBackupConsumer> logger)
    : IConsumer<RestoreBackup>
{
    public static readonly ActivitySource ActivitySource = new("Bambuddy.Restore");

    public async Task Consume(ConsumeContext<RestoreBackup> context)
    {
        var command = context.Message;
        var ct = context.CancellationToken;
        using var activity = ActivitySource.StartActivity("restore");
        activity?.SetTag("bambuddy.job_id", command.JobId);

        if (await ledger.HasEndedAsync(command.JobId, ct))
        {
            return;
        }

        try
        {
            await recovery.RecoverAsync(ct);
        }
        catch (InvalidOperationException ex)
        {
            await context.Publish(new RestoreFailed(command.JobId, RestoreSteps.Recovery, ex.Message, Refused: false, DateTimeOffset.UtcNow), ct);
            return;
        }

        if (recovery.RolledForward == command.JobId || await ledger.HasEndedAsync(command.JobId, ct))
        {
            return;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var stopReporting = new CancellationTokenSource();
        var reporter = new RestoreProgressReporter(command.JobId, context, ledger, cancel);
        var reporting = reporter.RunAsync(stopReporting.Token);
        object outcome;
        try
        {
            var result = await runner.RunAsync(command, reporter, cancel.Token);
            outcome = new RestoreCompleted(command.JobId, result.Message, result.Warnings, DateTimeOffset.UtcNow);
        }
        catch (OperationCanceledException) when (reporter.CancelRequested && !ct.IsCancellationRequested)
        {
            outcome = new RestoreFailed(command.JobId, RestoreSteps.Cancelled, "The restore was cancelled before it changed anything; the installation is as it was.", Refused: false, DateTimeOffset.UtcNow);
        }
        catch (RestoreFailure failure)
        {
            outcome = new RestoreFailed(command.JobId, failure.Step, failure.Message, failure.Refused, DateTimeOffset.UtcNow);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException)
        {
            // The runner removed what it staged before this reached here: the installation is as it was.
            var step = ex is IOException or UnauthorizedAccessException ? RestoreSteps.Files : RestoreSteps.Database;
            outcome = new RestoreFailed(command.JobId, step, $"{ex.Message} Nothing was changed.", Refused: false, DateTimeOffset.UtcNow);
        }
        finally
        {
            await stopReporting.CancelAsync();
            await reporting;
        }

        if (outcome is RestoreFailed failed)
        {
            activity?.SetStatus(ActivityStatusCode.Error, failed.Reason);
            LogFailed(command.JobId, failed.Step, failed.Reason);
        }

        await context.Publish(outcome, outcome.GetType(), ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restore {JobId} stopped at {Step}: {Reason}")]
    private partial void LogFailed(Guid jobId, string step, string reason);
}

/// <summary>One restore at a time per worker; a restore holds the whole installation.</summary>
public sealed class RestoreBackupConsumerDefinition : ConsumerDefinition<RestoreBackupConsumer>
{
    public RestoreBackupConsumerDefinition() => ConcurrentMessageLimit = 1;
}
