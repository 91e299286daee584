namespace Bambuddy.Contracts;

/// <summary>
/// The restore worker asks the scheduler for its safety backup: the scheduler saves the child job
/// (<see cref="JobKinds.SafetyBackup"/>, trigger <see cref="Triggers.Restore"/>) with <paramref name="JobId"/>
/// and publishes its <see cref="CreateLocalBackup"/>; asking twice for the same id changes nothing.
/// </summary>
public sealed record SafetyBackupRequested(Guid ParentJobId, Guid JobId, string OutputPath, DateTimeOffset RequestedAt);
