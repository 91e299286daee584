using System.Diagnostics;
using Bambuddy.ArchivePackager.Packaging;
using Bambuddy.Contracts;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Jobs;
using MassTransit;

namespace Bambuddy.ArchivePackager.Consumers;

public sealed partial class CreateLocalBackupConsumer(JobLedger ledger, BackupJobRunner runner, BackupMetrics metrics, PackagerFaultInjection faults, ILogger<CreateLocalBackupConsumer> logger)
    : IConsumer<CreateLocalBackup>
{
    public static readonly ActivitySource ActivitySource = new("Bambuddy.ArchivePackager");

    public async Task Consume(ConsumeContext<CreateLocalBackup> context)
    {
        var command = context.Message;
        var ct = context.CancellationToken;
        using var activity = ActivitySource.StartActivity("local-backup");
        activity?.SetTag("bambuddy.job_id", command.JobId);
        activity?.SetTag("bambuddy.job_kind", command.Kind);

        if (await ledger.HasEndedAsync(command.JobId, ct))
        {
            LogAlreadyEnded(command.JobId);
            return;
        }

        var started = Stopwatch.StartNew();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var stopReporting = new CancellationTokenSource();
        var reporter = new ProgressReporter(command.JobId, context, ledger, cancel, faults);
        var reporting = reporter.RunAsync(stopReporting.Token);
        object outcome;
        try
        {
            outcome = await runner.RunAsync(command, reporter, cancel.Token);
        }
        catch (OperationCanceledException) when (reporter.CancelRequested && !ct.IsCancellationRequested)
        {
            outcome = Failed(command, "cancelled", "The backup was cancelled; its temporary file was removed.", cancelled: true);
        }
        catch (OutputPathMissingException ex)
        {
            outcome = Failed(command, "output_path", ex.Message);
        }
        catch (InsufficientSpaceException ex)
        {
            outcome = Failed(command, "space_check", ex.Message);
        }
        catch (BackupSourceChangedException ex)
        {
            outcome = Failed(command, "files", ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException)
        {
            outcome = Failed(command, ex is IOException or UnauthorizedAccessException ? "write" : "database", ex.Message);
        }
        finally
        {
            await stopReporting.CancelAsync();
            await reporting;
        }

        metrics.Record(command.Kind, outcome is LocalBackupCompleted ? "succeeded" : "failed", (outcome as LocalBackupCompleted)?.Size ?? 0, started.Elapsed);
        if (outcome is LocalBackupFailed failed)
        {
            activity?.SetStatus(ActivityStatusCode.Error, failed.Reason);
            LogFailed(command.JobId, failed.Step, failed.Reason);
        }

        await context.Publish(outcome, outcome.GetType(), ct);
    }

    private static LocalBackupFailed Failed(CreateLocalBackup command, string step, string reason, bool cancelled = false)
        => new(command.JobId, step, reason, cancelled, DateTimeOffset.UtcNow);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} has already ended; the redelivered command changes nothing")]
    private partial void LogAlreadyEnded(Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} failed at {Step}: {Reason}")]
    private partial void LogFailed(Guid jobId, string step, string reason);
}
