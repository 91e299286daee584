using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using MassTransit;

namespace Bambuddy.Restore.Restoring;

/// <summary>Takes the safety backup of the installation before a restore changes it (DESIGN §5.3).</summary>
public interface ISafetyBackups
{
    /// <summary>Returns the safety backup's file name; throws <see cref="RestoreFailure"/> (step <c>safety_backup</c>) when it fails.</summary>
    Task<string> TakeAsync(RestoreBackup command, CancellationToken cancellationToken);
}

/// <summary>
/// Asks the scheduler for the child job (<see cref="SafetyBackupRequested"/>; the archive-packager writes the ZIP
/// and the safety kind keeps its own retention) and waits for it through the job table. The child's id is
/// fixed by the restore command, so a redelivered restore reuses a safety backup already taken.
/// </summary>
public sealed class BusSafetyBackups(IBus publisher, JobLedger ledger, TimeProvider time) : ISafetyBackups
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    public async Task<string> TakeAsync(RestoreBackup command, CancellationToken cancellationToken)
    {
        var outcome = await ledger.GetOutcomeAsync(command.SafetyBackupJobId, cancellationToken);
        if (outcome is null || (outcome.State != JobStates.Succeeded && JobStates.IsTerminal(outcome.State)))
        {
            if (outcome is not null)
            {
                throw Failed(outcome);
            }

            await publisher.Publish(new SafetyBackupRequested(command.JobId, command.SafetyBackupJobId, command.OutputPath, time.GetUtcNow()), cancellationToken);
        }

        while (true)
        {
            outcome = await ledger.GetOutcomeAsync(command.SafetyBackupJobId, cancellationToken);
            if (outcome?.State == JobStates.Succeeded)
            {
                return outcome.FileName ?? "(unnamed)";
            }

            if (outcome is not null && JobStates.IsTerminal(outcome.State))
            {
                throw Failed(outcome);
            }

            await Task.Delay(Poll, time, cancellationToken);
        }
    }

    private static RestoreFailure Failed(JobOutcome outcome) => new(RestoreSteps.SafetyBackup,
        $"The safety backup of the current installation {outcome.State}: {outcome.ErrorReason ?? "no reason given"}. Nothing was restored.", refused: false);
}
