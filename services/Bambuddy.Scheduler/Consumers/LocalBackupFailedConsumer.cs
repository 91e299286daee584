using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;
using MassTransit;

namespace Bambuddy.Scheduler.Consumers;

public sealed class LocalBackupFailedConsumer(JobStore store) : IConsumer<LocalBackupFailed>
{
    public Task Consume(ConsumeContext<LocalBackupFailed> context)
        => store.FailAsync(context.Message.JobId, context.Message.Step, context.Message.Reason, context.Message.Cancelled, context.CancellationToken);
}
