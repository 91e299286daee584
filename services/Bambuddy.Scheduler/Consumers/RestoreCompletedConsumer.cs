using System.Text.Json.Nodes;
using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;
using MassTransit;

namespace Bambuddy.Scheduler.Consumers;

public sealed class RestoreCompletedConsumer(JobStore store) : IConsumer<RestoreCompleted>
{
    public Task Consume(ConsumeContext<RestoreCompleted> context)
    {
        var result = new JsonObject { ["message"] = context.Message.Message, ["restart_required"] = true };
        return store.SucceedAsync(context.Message.JobId, result, context.Message.Warnings, context.CancellationToken);
    }
}
