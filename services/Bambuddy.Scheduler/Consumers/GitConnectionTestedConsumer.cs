using System.Text.Json;
using System.Text.Json.Nodes;
using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;
using MassTransit;

namespace Bambuddy.Scheduler.Consumers;

public sealed class GitConnectionTestedConsumer(JobStore store) : IConsumer<GitConnectionTested>
{
    public Task Consume(ConsumeContext<GitConnectionTested> context)
    {
        var m = context.Message;
        var result = new JsonObject
        {
            ["success"] = m.Success,
            ["message"] = m.Message,
            ["repo_name"] = m.RepoName,
            ["permissions"] = m.Permissions is null ? null : JsonSerializer.SerializeToNode(m.Permissions),
            ["is_private"] = m.IsPrivate,
        };
        // A refused connection is still a finished test: its answer is the result.
        return store.SucceedAsync(m.JobId, result, [], context.CancellationToken);
    }
}
