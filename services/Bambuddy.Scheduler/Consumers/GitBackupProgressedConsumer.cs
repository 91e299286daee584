using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;
using MassTransit;

namespace Bambuddy.Scheduler.Consumers;

public sealed class GitBackupProgressedConsumer(JobStore store) : IConsumer<GitBackupProgressed>
{
    public Task Consume(ConsumeContext<GitBackupProgressed> context)
        => store.ReportProgressAsync(context.Message.JobId, new JobProgress(context.Message.Progress, 0, 0, 0, 0), context.CancellationToken);
}
