using System.Text.Json;
using Bambuddy.Contracts;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Jobs;
using MassTransit;

namespace Bambuddy.ArchivePackager.Packaging;

/// <summary>
/// Publishes a backup's latest progress about once a second (at least every 10 s, the worker-lost
/// heartbeat), never once per file, and notices a cancel request on the same tick.
/// </summary>
public sealed class ProgressReporter(Guid jobId, IPublishEndpoint publisher, JobLedger ledger, CancellationTokenSource cancel, PackagerFaultInjection? faults = null) : IProgress<ArchiveProgress>
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);
    private ArchiveProgress _latest = new(ArchivePhase.SnapshottingDatabase, 0, 0, 0, 0);

    public void Report(ArchiveProgress value)
    {
        faults?.Reached(value);
        Volatile.Write(ref _latest, value);
    }

    /// <summary>Runs until <paramref name="stop"/>; sets <see cref="CancelRequested"/> and cancels the job when asked to.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        ArchiveProgress? published = null;
        var lastPublish = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(Tick);
        try
        {
            do
            {
                var latest = Volatile.Read(ref _latest);
                if (!Equals(latest, published) || DateTimeOffset.UtcNow - lastPublish >= Heartbeat)
                {
                    await publisher.Publish(ToEvent(latest), stop);
                    (published, lastPublish) = (latest, DateTimeOffset.UtcNow);
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

    public bool CancelRequested { get; private set; }

    public BackupProgressed ToEvent(ArchiveProgress p) => new(jobId, JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Phase.ToString()),
        p.BytesDone, p.BytesTotal, p.EntriesDone, p.EntriesTotal, DateTimeOffset.UtcNow);
}
