using MassTransit;

namespace Bambuddy.Scheduler.Jobs;

/// <summary>Publishes a saved job's command through the outbox row (see <see cref="JobStore.TryPublishAsync"/>).</summary>
public sealed partial class JobPublisher(JobStore store, IBus bus, ILogger<JobPublisher> logger)
{
    public async Task<bool> PublishAsync(Guid jobId, CancellationToken cancellationToken)
    {
        try
        {
            var published = await store.TryPublishAsync(jobId, (message, type, ct) => bus.Publish(message, type, ct), cancellationToken);
            if (published)
            {
                LogPublished(jobId);
            }

            return published;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The row stays unpublished; the relay tries again.
            LogPublishFailed(ex, jobId);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published the command of job {JobId}")]
    private partial void LogPublished(Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish job {JobId} now; the relay will retry")]
    private partial void LogPublishFailed(Exception exception, Guid jobId);
}
