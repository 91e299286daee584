using System.Diagnostics;
using Bambuddy.ArchivePackager.Packaging;
using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using MassTransit;

namespace Bambuddy.ArchivePackager.Consumers;

public sealed partial class CreateLocalBackupConsumer(JobLedger ledger, PlaceholderBackupWriter writer, ILogger<CreateLocalBackupConsumer> logger)
    : IConsumer<CreateLocalBackup>
{
    public static readonly ActivitySource ActivitySource = new("Bambuddy.ArchivePackager");

    public async Task Consume(ConsumeContext<CreateLocalBackup> context)
    {
        var command = context.Message;
        var ct = context.CancellationToken;
        using var activity = ActivitySource.StartActivity("local-backup");
        activity?.SetTag("bambuddy.job_id", command.JobId);

        if (await ledger.HasEndedAsync(command.JobId, ct))
        {
            LogAlreadyEnded(command.JobId);
            return;
        }

        await context.Publish(new BackupProgressed(command.JobId, "starting", 0, 0, 0, 0, DateTimeOffset.UtcNow), ct);
        try
        {
            var (fileName, size, sha256) = await writer.WriteAsync(command.JobId, ct);
            await context.Publish(new LocalBackupCompleted(command.JobId, fileName, size, sha256, ["placeholder"],
                "Placeholder backup written (the full ZIP is not implemented yet)", DateTimeOffset.UtcNow), ct);
            LogCompleted(command.JobId, fileName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await context.Publish(new LocalBackupFailed(command.JobId, "write", ex.Message, Cancelled: false, DateTimeOffset.UtcNow), ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} has already ended; the redelivered command changes nothing")]
    private partial void LogAlreadyEnded(Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} wrote {FileName}")]
    private partial void LogCompleted(Guid jobId, string fileName);
}
