using Microsoft.Extensions.Options;

namespace Bambuddy.Scheduler.Jobs;

/// <summary>Publishes jobs that were saved but never published (a crash between the two steps).</summary>
public sealed partial class OutboxRelay(JobStore store, JobPublisher publisher, IOptions<JobOptions> options, ILogger<OutboxRelay> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RelayInterval);
        do
        {
            try
            {
                // Leave a fresh row to the request that saved it, which is publishing it right now.
                foreach (var jobId in await store.ListUnpublishedAsync(options.Value.RelayInterval, stoppingToken))
                {
                    if (await publisher.PublishAsync(jobId, stoppingToken))
                    {
                        LogRelayed(jobId);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRelayFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relayed job {JobId}, which was saved but not published")]
    private partial void LogRelayed(Guid jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The outbox relay failed; it tries again on its next tick")]
    private partial void LogRelayFailed(Exception exception);
}
