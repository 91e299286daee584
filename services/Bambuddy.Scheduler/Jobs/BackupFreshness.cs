using System.Diagnostics.Metrics;
using Bambuddy.Contracts;

namespace Bambuddy.Scheduler.Jobs;

/// <summary>Seconds since the last successful backup: the number an operator alerts on (DESIGN §8).</summary>
public sealed class BackupFreshness
{
    private long _lastSuccessTicks;

    public BackupFreshness(IMeterFactory meterFactory, TimeProvider clock)
    {
        var meter = meterFactory.Create(JobMetrics.MeterName);
        meter.CreateObservableGauge("bambuddy.backup.seconds_since_last_success", () =>
        {
            var last = Interlocked.Read(ref _lastSuccessTicks);
            return last == 0 ? [] : new[] { new Measurement<double>((clock.GetUtcNow() - new DateTimeOffset(last, TimeSpan.Zero)).TotalSeconds) };
        }, "s", "Seconds since the last successful local backup");
    }

    public void Succeeded(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        long seen;
        do
        {
            seen = Interlocked.Read(ref _lastSuccessTicks);
            if (seen >= ticks)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _lastSuccessTicks, ticks, seen) != seen);
    }

    /// <summary>Reads the last success from the job table once, at start.</summary>
    public sealed class Loader(JobStore jobs, BackupFreshness freshness) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (await jobs.GetLatestSucceededAsync(JobKinds.LocalBackup, cancellationToken) is { FinishedAt: { } at })
            {
                freshness.Succeeded(at);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
