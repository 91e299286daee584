using System.Diagnostics;
using System.Security.Cryptography;
using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using Bambuddy.Core.Secrets;
using MassTransit;

namespace Bambuddy.GitSync.Consumers;

/// <summary>
/// Runs a git backup: skips a job that already ended (a redelivery), decrypts the token, runs the backup
/// while reporting progress, and publishes how it ended. A redelivered command starts over; the sync
/// itself is idempotent (unchanged data is skipped).
/// </summary>
public sealed partial class RunGitBackupConsumer(
    JobLedger ledger, SecretProtector secrets, GitBackupRunner runner, TimeProvider time, ILogger<RunGitBackupConsumer> logger)
    : IConsumer<RunGitBackup>
{
    public static readonly ActivitySource ActivitySource = new("Bambuddy.GitSync");

    public async Task Consume(ConsumeContext<RunGitBackup> context)
    {
        var command = context.Message;
        var ct = context.CancellationToken;
        using var activity = ActivitySource.StartActivity("git-backup");
        activity?.SetTag("bambuddy.job_id", command.JobId);
        activity?.SetTag("bambuddy.job_kind", JobKinds.GitBackup);

        if (await ledger.HasEndedAsync(command.JobId, ct))
        {
            LogAlreadyEnded(command.JobId);
            return;
        }

        string token;
        try
        {
            token = secrets.Unprotect(command.Target.ProtectedAccessToken);
        }
        catch (CryptographicException)
        {
            await PublishAsync(context, new GitBackupCompleted(command.JobId, "failed",
                "The stored access token cannot be decrypted with this key ring; enter the token again.", null, 0, time.GetUtcNow(), "config"), activity);
            return;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var stopReporting = new CancellationTokenSource();
        var reporter = new GitProgressReporter(command.JobId, context, ledger, cancel, time);
        var reporting = reporter.RunAsync(stopReporting.Token);
        GitBackupCompleted outcome;
        try
        {
            outcome = await runner.RunAsync(command.JobId, command.Target, command.Contents, token, reporter, cancel.Token);
        }
        catch (OperationCanceledException) when (reporter.CancelRequested && !ct.IsCancellationRequested)
        {
            outcome = new GitBackupCompleted(command.JobId, "failed", "The git backup was cancelled; nothing was pushed.", null, 0, time.GetUtcNow(), "cancelled");
        }
        finally
        {
            await stopReporting.CancelAsync();
            await reporting;
        }

        await PublishAsync(context, outcome, activity);
    }

    private async Task PublishAsync(ConsumeContext context, GitBackupCompleted outcome, Activity? activity)
    {
        if (outcome.Status == "failed")
        {
            activity?.SetStatus(ActivityStatusCode.Error, outcome.Message);
            LogFailed(outcome.JobId, outcome.Step ?? "", outcome.Message);
        }

        await context.Publish(outcome, context.CancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} has already ended; the redelivered command changes nothing")]
    private partial void LogAlreadyEnded(Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Git backup {JobId} failed at {Step}: {Reason}")]
    private partial void LogFailed(Guid jobId, string step, string reason);
}
