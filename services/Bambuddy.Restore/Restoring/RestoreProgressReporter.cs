using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using MassTransit;

namespace Bambuddy.Restore.Restoring;

/// <summary>
/// Publishes a restore's latest progress about once a second (and at least every 10 s, the worker-lost
/// heartbeat), and notices a cancel request on the same tick; once the commit has begun, nothing cancels it.
/// </summary>
public sealed class RestoreProgressReporter(Guid jobId, IPublishEndpoint publisher, JobLedger ledger, CancellationTokenSource cancel) : IProgress<RestoreProgress>
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);
    private RestoreProgress _latest = new(RestorePhases.Validating, 0, 0, 0, 0);

    public bool CancelRequested { get; private set; }

    public void Report(RestoreProgress value) => Volatile.Write(ref _latest, value);

    public async Task RunAsync(CancellationToken stop)
    {
        RestoreProgress? published = null;
        var lastPublish = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(Tick);
        try
        {
            do
            {
                var latest = Volatile.Read(ref _latest);
                if (!Equals(latest, published) || DateTimeOffset.UtcNow - lastPublish >= Heartbeat)
                {
                    await publisher.Publish(new RestoreProgressed(jobId, latest.Phase, latest.BytesDone, latest.BytesTotal, latest.EntriesDone, latest.EntriesTotal, DateTimeOffset.UtcNow), stop);
                    (published, lastPublish) = (latest, DateTimeOffset.UtcNow);
                }

                if (!CancelRequested && latest.Phase is not (RestorePhases.Swapping or RestorePhases.CleaningUp)
                    && await ledger.IsCancelRequestedAsync(jobId, stop))
                {
                    CancelRequested = true;
                    await cancel.CancelAsync();
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
