using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using MassTransit;

namespace Bambuddy.Restore.Restoring;

/// <summary>
/// Replays the intent journal a crashed restore left (DESIGN §5.5) through <see cref="RestoreJobRunner.ReplayJournalAsync"/>:
/// before the commit began the restore is rolled back and the broker's redelivered command starts it over; once it began,
/// it is rolled forward and the job reported done here. Runs once the worker has started, and again before every
/// restore, under a lock.
/// </summary>
public sealed partial class RestoreRecovery(
    RestoreJobRunner runner,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    ILogger<RestoreRecovery> logger) : IHostedService
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    /// <summary>The job a roll-forward finished, so a redelivered command for it changes nothing.</summary>
    public Guid? RolledForward { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Once the bus runs, so a rolled-forward job can be reported; a restore that arrives first replays it itself.
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(async () =>
        {
            try
            {
                await RecoverAsync(lifetime.ApplicationStopping);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The worker keeps running; every restore refuses until the journal is replayed.
                LogRecoveryFailed(ex);
            }
        }));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <exception cref="InvalidOperationException">The journal belongs to another installation.</exception>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (await runner.ReplayJournalAsync(cancellationToken) is not { } replayed)
            {
                return;
            }

            if (replayed.RolledForward)
            {
                RolledForward = replayed.JobId;
            }

            // A roll-back leaves the job to its redelivered command, which starts over.
            object? outcome = replayed switch
            {
                { Completed: { } done } => new RestoreCompleted(replayed.JobId, done.Message, done.Warnings, DateTimeOffset.UtcNow),
                { Failed: { } failed } => new RestoreFailed(replayed.JobId, failed.Step, failed.Message, failed.Refused, DateTimeOffset.UtcNow),
                _ => null,
            };
            if (outcome is null)
            {
                return;
            }

            using var scope = services.CreateScope();
            if (!await scope.ServiceProvider.GetRequiredService<JobLedger>().HasEndedAsync(replayed.JobId, cancellationToken))
            {
                await scope.ServiceProvider.GetRequiredService<IBus>().Publish(outcome, outcome.GetType(), cancellationToken);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The interrupted restore could not be recovered; restores stay refused until it is")]
    private partial void LogRecoveryFailed(Exception exception);
}
