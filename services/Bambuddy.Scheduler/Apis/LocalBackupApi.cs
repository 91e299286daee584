using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;

namespace Bambuddy.Scheduler.Apis;

public static class LocalBackupApi
{
    public static IEndpointRouteBuilder MapLocalBackupApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/local-backup").WithTags("Local backup");
        api.MapPost("/run", RunBackup).WithName(nameof(RunBackup));
        return app;
    }

    /// <summary>Queues a full backup; <c>?wait=true</c> answers when it has ended.</summary>
    public static async Task<IResult> RunBackup(bool? wait, JobStore store, JobPublisher publisher, JobWaiter waiter, CancellationToken cancellationToken)
    {
        var creation = await store.CreateAsync(JobKinds.LocalBackup, Triggers.Manual,
            jobId => new CreateLocalBackup(jobId, JobKinds.LocalBackup, Triggers.Manual, OutputPath: "", Retention: 5, DateTimeOffset.UtcNow),
            parentId: null, cancellationToken);
        if (creation.Job is not { } job)
        {
            return JobResponses.Conflict(creation.ConflictingJobId!.Value);
        }

        await publisher.PublishAsync(job.JobId, cancellationToken);
        if (wait != true)
        {
            return JobResponses.Accepted(job);
        }

        return JobResponses.Outcome(await waiter.WaitForEndAsync(job.JobId, cancellationToken), "Backup created");
    }
}
