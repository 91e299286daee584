using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;
using MassTransit;

namespace Bambuddy.Scheduler.Consumers;

public sealed class BackupProgressedConsumer(JobStore store) : IConsumer<BackupProgressed>
{
    public Task Consume(ConsumeContext<BackupProgressed> context)
    {
        var m = context.Message;
        return store.ReportProgressAsync(m.JobId, new JobProgress(m.Phase, m.BytesDone, m.BytesTotal, m.EntriesDone, m.EntriesTotal), context.CancellationToken);
    }
}
