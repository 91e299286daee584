using System.Text.Json.Nodes;
using Bambuddy.Contracts;
using Bambuddy.Scheduler.GitBackups;
using Bambuddy.Scheduler.Jobs;
using MassTransit;

namespace Bambuddy.Scheduler.Consumers;

/// <summary>Ends the git backup's log row and settings' <c>last_backup_*</c>, then its job.</summary>
public sealed class GitBackupCompletedConsumer(JobStore store, GitBackupLogStore logs) : IConsumer<GitBackupCompleted>
{
    public async Task Consume(ConsumeContext<GitBackupCompleted> context)
    {
        var m = context.Message;
        // The log row first: both steps are idempotent, so a redelivery after a crash between them finishes the job,
        // while the reverse order could leave a succeeded job with its log row running.
        await logs.CompleteAsync(m.JobId, m.Status, m.Message, m.CommitSha, m.FilesChanged, m.At, context.CancellationToken);
        if (m.Status == "failed")
        {
            await store.FailAsync(m.JobId, m.Step ?? "git", m.Message, cancelled: false, context.CancellationToken);
            return;
        }

        var result = new JsonObject
        {
            ["status"] = m.Status,
            ["message"] = m.Message,
            ["commit_sha"] = m.CommitSha,
            ["files_changed"] = m.FilesChanged,
        };
        await store.SucceedAsync(m.JobId, result, m.Warnings ?? [], context.CancellationToken);
    }
}
