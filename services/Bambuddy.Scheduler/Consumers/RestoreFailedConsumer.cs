using System.Text.Json.Nodes;
using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;
using Bambuddy.Scheduler.Restores;
using MassTransit;

namespace Bambuddy.Scheduler.Consumers;

/// <summary>Ends the job with the failed step and reason, and whether the backup was refused (400/422) or we failed (500).</summary>
public sealed class RestoreFailedConsumer(JobStore store, UploadSpool spool) : IConsumer<RestoreFailed>
{
    public const string CancelledStep = "cancelled";

    public async Task Consume(ConsumeContext<RestoreFailed> context)
    {
        var m = context.Message;
        if (m.Step == CancelledStep)
        {
            await store.FailAsync(m.JobId, m.Step, m.Reason, cancelled: true, context.CancellationToken);
        }
        else
        {
            var result = new JsonObject { ["refused"] = m.Refused, ["restart_required"] = false };
            await store.FailAsync(m.JobId, m.Step, m.Reason, result, context.CancellationToken);
        }

        spool.Delete(m.JobId);
    }
}
