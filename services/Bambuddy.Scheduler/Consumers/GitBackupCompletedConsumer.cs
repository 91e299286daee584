using System.Text.Json.Nodes;
using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;
using MassTransit;

namespace Bambuddy.Scheduler.Consumers;

public sealed class GitBackupCompletedConsumer(JobStore store) : IConsumer<GitBackupCompleted>
{
    public Task Consume(ConsumeContext<GitBackupCompleted> context)
    {
        var m = context.Message;
        if (m.Status == "failed")
        {
            return store.FailAsync(m.JobId, "git", m.Message, cancelled: false, context.CancellationToken);
        }

        var result = new JsonObject
        {
            ["status"] = m.Status,
            ["message"] = m.Message,
            ["commit_sha"] = m.CommitSha,
            ["files_changed"] = m.FilesChanged,
        };
        return store.SucceedAsync(m.JobId, result, [], context.CancellationToken);
    }
}
