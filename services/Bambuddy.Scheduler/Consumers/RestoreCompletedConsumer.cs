using System.Text.Json.Nodes;
using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;
using Bambuddy.Scheduler.Restores;
using MassTransit;

namespace Bambuddy.Scheduler.Consumers;

public sealed class RestoreCompletedConsumer(JobStore store, UploadSpool spool) : IConsumer<RestoreCompleted>
{
    public async Task Consume(ConsumeContext<RestoreCompleted> context)
    {
        var result = new JsonObject { ["message"] = context.Message.Message, ["restart_required"] = true };
        await store.SucceedAsync(context.Message.JobId, result, context.Message.Warnings, context.CancellationToken);
        // The job has ended either way (a redelivery finds it ended): its upload is no longer needed.
        spool.Delete(context.Message.JobId);
    }
}
