using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;
using Bambuddy.Scheduler.LocalBackups;

namespace Bambuddy.Scheduler.Restores;

/// <summary>Saves a <c>restore</c> job with its <see cref="RestoreBackup"/> command (the job row is the outbox) and publishes it.</summary>
public sealed class RestoreRequests(JobStore store, JobPublisher publisher, TimeProvider clock)
{
    public const string SourceStored = "stored";
    public const string SourceUpload = "upload";

    /// <summary>The new job, or the running job it conflicts with (one backup or restore at a time, DESIGN §2).</summary>
    public async Task<JobCreation> QueueAsync(
        Guid jobId, string sourceKind, string source, RestoreFlags flags, LocalBackupSettings settings, S3Location? storedCopy, CancellationToken cancellationToken)
    {
        // The safety backup's id is fixed here, so a redelivered command asks for the same child job.
        var creation = await store.CreateAsync(jobId, JobKinds.Restore, Triggers.Manual,
            id => new RestoreBackup(id, Triggers.Manual, sourceKind, source, flags.Force, flags.AllowOrphans, flags.AllowSchemaLoss,
                clock.GetUtcNow(), Guid.CreateVersion7(), settings.Path, storedCopy),
            parentId: null, cancellationToken);
        if (creation.Job is { } job)
        {
            await publisher.PublishAsync(job.JobId, cancellationToken);
        }

        return creation;
    }

    /// <summary>The S3 copy of a stored backup, when the catalog says S3 has it and S3 is configured.</summary>
    public static S3Location? StoredCopy(IReadOnlyList<string>? catalogLocations, LocalBackupSettings settings)
        => catalogLocations?.Contains("s3") == true && settings.S3 is { Enabled: true, ProtectedSecretKey: { } secret } s3
            ? new S3Location(s3.Endpoint, s3.Bucket, s3.Prefix, s3.Region, s3.AccessKey, secret, s3.UseTls)
            : null;
}
