using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using Bambuddy.Scheduler.Jobs;
using Bambuddy.Scheduler.LocalBackups;

namespace Bambuddy.Scheduler.Apis;

/// <summary>Bambuddy's <c>GET /settings/backup</c> (a fresh ZIP) and our <c>POST /backup</c> (a job whose ZIP downloads later).</summary>
public static class FullBackupApi
{
    public static IEndpointRouteBuilder MapFullBackupApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/backup", CreateDownloadBackup).WithTags("Full backup").WithName(nameof(CreateDownloadBackup));
        app.MapGet("/api/v1/settings/backup", DownloadFreshBackup).WithTags("Full backup").WithName(nameof(DownloadFreshBackup));
        return app;
    }

    public static async Task<IResult> CreateDownloadBackup(bool? wait, JobStore store, JobPublisher publisher, JobWaiter waiter, DownloadFiles downloads,
        LocalBackupSettingsStore settingsStore, CancellationToken cancellationToken)
    {
        var (job, problem) = await QueueAsync(store, publisher, downloads, settingsStore, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        return wait == true
            ? JobResponses.Outcome(await waiter.WaitForEndAsync(job!.JobId, cancellationToken), "Backup ready to download")
            : JobResponses.Accepted(job!);
    }

    /// <summary>Makes a full backup and answers with it; the file is deleted once it has been sent.</summary>
    public static async Task<IResult> DownloadFreshBackup(HttpContext context, JobStore store, JobPublisher publisher, JobWaiter waiter, DownloadFiles downloads,
        LocalBackupSettingsStore settingsStore, CancellationToken cancellationToken)
    {
        var (job, problem) = await QueueAsync(store, publisher, downloads, settingsStore, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var ended = await waiter.WaitForEndAsync(job!.JobId, cancellationToken);
        if (ended.State != JobStates.Succeeded || ended.Result?["filename"]?.GetValue<string>() is not { } fileName || downloads.Find(fileName) is not { } path)
        {
            return JobResponses.Outcome(ended, "");
        }

        context.Response.OnCompleted(() =>
        {
            downloads.Delete(fileName);
            return Task.CompletedTask;
        });
        return TypedResults.PhysicalFile(path, "application/zip", fileName, enableRangeProcessing: false);
    }

    private static async Task<(Job? Job, IResult? Problem)> QueueAsync(JobStore store, JobPublisher publisher, DownloadFiles downloads,
        LocalBackupSettingsStore settingsStore, CancellationToken cancellationToken)
    {
        downloads.Prune();
        var settings = await settingsStore.GetAsync(cancellationToken);
        var creation = await store.CreateAsync(JobKinds.DownloadBackup, Triggers.Manual,
            jobId => LocalBackupCommands.Create(jobId, JobKinds.DownloadBackup, Triggers.Manual, settings with { S3 = null }), null, cancellationToken);
        if (creation.Job is not { } job)
        {
            return (null, JobResponses.Conflict(creation.ConflictingJobId!.Value));
        }

        await publisher.PublishAsync(job.JobId, cancellationToken);
        return (job, null);
    }
}
