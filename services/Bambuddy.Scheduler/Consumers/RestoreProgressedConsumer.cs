using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;
using MassTransit;

namespace Bambuddy.Scheduler.Consumers;

public sealed class RestoreProgressedConsumer(JobStore store) : IConsumer<RestoreProgressed>
{
    public Task Consume(ConsumeContext<RestoreProgressed> context)
    {
        var m = context.Message;
        return store.ReportProgressAsync(m.JobId, new JobProgress(m.Phase, m.BytesDone, m.BytesTotal, m.EntriesDone, m.EntriesTotal), context.CancellationToken);
    }
}
