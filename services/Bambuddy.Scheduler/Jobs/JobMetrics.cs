using System.Diagnostics.Metrics;

namespace Bambuddy.Scheduler.Jobs;

/// <summary>Jobs queued, started, succeeded and failed, by kind.</summary>
public sealed class JobMetrics
{
    public const string MeterName = "Bambuddy.Scheduler";

    private readonly Counter<long> _queued;
    private readonly Counter<long> _started;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;

    public JobMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _queued = meter.CreateCounter<long>("bambuddy.jobs.queued", description: "Jobs queued");
        _started = meter.CreateCounter<long>("bambuddy.jobs.started", description: "Jobs a worker started");
        _succeeded = meter.CreateCounter<long>("bambuddy.jobs.succeeded", description: "Jobs that succeeded");
        _failed = meter.CreateCounter<long>("bambuddy.jobs.failed", description: "Jobs that failed or were cancelled");
    }

    public void Queued(string kind) => _queued.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Started(string kind) => _started.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Succeeded(string kind) => _succeeded.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Failed(string kind) => _failed.Add(1, new KeyValuePair<string, object?>("kind", kind));
}
