using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;
using MassTransit;

namespace Bambuddy.Scheduler.Consumers;

public sealed class RestoreFailedConsumer(JobStore store) : IConsumer<RestoreFailed>
{
    public Task Consume(ConsumeContext<RestoreFailed> context)
        => store.FailAsync(context.Message.JobId, context.Message.Step, context.Message.Reason, cancelled: false, context.CancellationToken);
}
