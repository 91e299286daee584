using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using MassTransit;

namespace Bambuddy.GitSync.Consumers;

/// <summary>
/// Publishes a git backup's status text when it changes (checked once a second) and at least every 10 s (the
/// worker-lost heartbeat), and notices a cancel request on the same tick.
/// </summary>
public sealed class GitProgressReporter(Guid jobId, IPublishEndpoint publisher, JobLedger ledger, CancellationTokenSource cancel, TimeProvider time)
    : IProgress<string>
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);
    private string _latest = "Starting…";

    public bool CancelRequested { get; private set; }

    public void Report(string value) => Volatile.Write(ref _latest, value);

    /// <summary>Runs until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        string? published = null;
        var lastPublish = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(Tick, time);
        try
        {
            do
            {
                var latest = Volatile.Read(ref _latest);
                if (latest != published || time.GetUtcNow() - lastPublish >= Heartbeat)
                {
                    await publisher.Publish(new GitBackupProgressed(jobId, latest, time.GetUtcNow()), stop);
                    (published, lastPublish) = (latest, time.GetUtcNow());
                }

                if (!CancelRequested && await ledger.IsCancelRequestedAsync(jobId, stop))
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
