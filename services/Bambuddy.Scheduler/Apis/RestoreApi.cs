using Bambuddy.Scheduler.Jobs;
using Bambuddy.Scheduler.LocalBackups;
using Bambuddy.Scheduler.Restores;

namespace Bambuddy.Scheduler.Apis;

/// <summary>
/// Restores from an upload: ours <c>POST /restore</c> (a job) and Bambuddy's <c>POST /settings/restore</c>
/// (answers the outcome unless <c>?wait=false</c>). The stored-backup restore lives with the local backups.
/// </summary>
public static class RestoreApi
{
    public static IEndpointRouteBuilder MapRestoreApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/restore", RestoreUpload).WithTags("Restore").WithName(nameof(RestoreUpload)).WithUploadBody();
        app.MapPost("/api/v1/settings/restore", RestoreBambuddyUpload).WithTags("Restore").WithName(nameof(RestoreBambuddyUpload)).WithUploadBody();
        return app;
    }

    /// <summary>Multipart field <c>file</c>, streamed to the spool folder; 202 with the job, or its outcome with <c>?wait=true</c>.</summary>
    public static Task<IResult> RestoreUpload([AsParameters] RestoreQuery query, HttpRequest request, UploadSpool spool, RestoreRequests restores,
        JobStore jobs, JobWaiter waiter, LocalBackupSettingsStore settingsStore, CancellationToken cancellationToken)
        => UploadAsync(query, wait: query.Wait == true, request, spool, restores, jobs, waiter, settingsStore, cancellationToken);

    /// <summary>Bambuddy's own restore: its clients expect the outcome, so it waits unless <c>?wait=false</c>.</summary>
    public static Task<IResult> RestoreBambuddyUpload([AsParameters] RestoreQuery query, HttpRequest request, UploadSpool spool, RestoreRequests restores,
        JobStore jobs, JobWaiter waiter, LocalBackupSettingsStore settingsStore, CancellationToken cancellationToken)
        => UploadAsync(query, wait: query.Wait != false, request, spool, restores, jobs, waiter, settingsStore, cancellationToken);

    /// <summary>202 with the job, or with <paramref name="wait"/> its outcome once it has ended.</summary>
    public static async Task<IResult> AnswerAsync(Job job, bool wait, JobWaiter waiter, CancellationToken cancellationToken)
        => wait ? JobResponses.RestoreOutcome(await waiter.WaitForEndAsync(job.JobId, cancellationToken)) : JobResponses.Accepted(job);

    private static async Task<IResult> UploadAsync(RestoreQuery query, bool wait, HttpRequest request, UploadSpool spool, RestoreRequests restores,
        JobStore jobs, JobWaiter waiter, LocalBackupSettingsStore settingsStore, CancellationToken cancellationToken)
    {
        // Refuse before receiving what may be gigabytes; the job's creation checks again, atomically.
        if (await jobs.GetRunningExclusiveAsync(cancellationToken) is { } running)
        {
            return JobResponses.Conflict(running);
        }

        var jobId = Guid.CreateVersion7();
        var upload = await spool.ReceiveAsync(request, jobId, cancellationToken);
        if (upload.Failure is { } failure)
        {
            return JobResponses.Problem(failure.Status, failure.Title, failure.Reason, new() { ["step"] = "upload" });
        }

        // A fault from here on leaves the file to the spool sweep, which deletes it once no job holds it.
        var settings = await settingsStore.GetAsync(cancellationToken);
        var creation = await restores.QueueAsync(jobId, RestoreRequests.SourceUpload, upload.Path!, query.Flags, settings, storedCopy: null, cancellationToken);
        if (creation.Job is not { } job)
        {
            spool.Delete(jobId);
            return JobResponses.Conflict(creation.ConflictingJobId!.Value);
        }

        return await AnswerAsync(job, wait, waiter, cancellationToken);
    }
}
