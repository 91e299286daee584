using System.Text.Json;
using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using Bambuddy.Scheduler.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bambuddy.Scheduler.Apis;

public static class JobsApi
{
    private static readonly TimeSpan EventPoll = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/jobs").WithTags("Jobs");
        api.MapGet("/{jobId:guid}", GetJob).WithName(nameof(GetJob));
        api.MapPost("/{jobId:guid}/cancel", CancelJob).WithName(nameof(CancelJob));
        api.MapGet("/{jobId:guid}/events", StreamJobEvents).WithName(nameof(StreamJobEvents));
        api.MapGet("/{jobId:guid}/download", DownloadJobResult).WithName(nameof(DownloadJobResult));
        return app;
    }

    public static async Task<Results<Ok<Job>, ProblemHttpResult>> GetJob(Guid jobId, JobStore store, CancellationToken cancellationToken)
        => await store.GetAsync(jobId, cancellationToken) is { } job ? TypedResults.Ok(job) : NoSuchJob(jobId);

    /// <summary>Cancels a queued or running job; a job that has ended stays as it is (409).</summary>
    public static async Task<Results<Ok<Job>, ProblemHttpResult>> CancelJob(Guid jobId, JobStore store, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(jobId, cancellationToken) is not { } before)
        {
            return NoSuchJob(jobId);
        }

        if (JobStates.IsTerminal(before.State))
        {
            return JobResponses.Problem(StatusCodes.Status409Conflict, "The job has ended", $"Job {jobId} has already ended ({before.State}).",
                new() { ["job_id"] = jobId, ["state"] = before.State });
        }

        return TypedResults.Ok((await store.RequestCancelAsync(jobId, cancellationToken))!);
    }

    /// <summary>Server-Sent Events: <c>progress</c> and <c>state</c> events, a comment heartbeat every 15 s, until the job ends.</summary>
    public static async Task StreamJobEvents(Guid jobId, HttpContext context, JobStore store, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(jobId, cancellationToken) is null)
        {
            await NoSuchJob(jobId).ExecuteAsync(context);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        string? lastState = null;
        string? lastProgress = null;
        var lastWrite = DateTimeOffset.UtcNow;
        using var timer = new PeriodicTimer(EventPoll);
        do
        {
            var job = (await store.GetAsync(jobId, cancellationToken))!;
            var progress = JsonSerializer.Serialize(job.Progress, JobJson.Options);
            if (progress != lastProgress)
            {
                await context.Response.WriteAsync($"event: progress\ndata: {progress}\n\n", cancellationToken);
                (lastProgress, lastWrite) = (progress, DateTimeOffset.UtcNow);
            }

            if (job.State != lastState)
            {
                await context.Response.WriteAsync($"event: state\ndata: {JsonSerializer.Serialize(job, JobJson.Options)}\n\n", cancellationToken);
                (lastState, lastWrite) = (job.State, DateTimeOffset.UtcNow);
            }

            if (JobStates.IsTerminal(job.State))
            {
                return;
            }

            if (DateTimeOffset.UtcNow - lastWrite >= Heartbeat)
            {
                await context.Response.WriteAsync(": heartbeat\n\n", cancellationToken);
                lastWrite = DateTimeOffset.UtcNow;
            }

            await context.Response.Body.FlushAsync(cancellationToken);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    /// <summary>The ZIP of a finished <c>download_backup</c> job (the manual "Download Backup" flow).</summary>
    public static async Task<IResult> DownloadJobResult(Guid jobId, JobStore store, DownloadFiles downloads, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(jobId, cancellationToken) is not { } job)
        {
            return NoSuchJob(jobId);
        }

        if (job.Kind != JobKinds.DownloadBackup || job.State != JobStates.Succeeded || job.Result?["filename"]?.GetValue<string>() is not { } fileName)
        {
            return JobResponses.Problem(StatusCodes.Status409Conflict, "Nothing to download",
                $"Job {jobId} is a {job.Kind} job in state {job.State}; only a succeeded download_backup job has a ZIP to download.",
                new() { ["job_id"] = jobId, ["state"] = job.State });
        }

        return downloads.Find(fileName) is { } path
            ? TypedResults.PhysicalFile(path, "application/zip", fileName, enableRangeProcessing: true)
            : JobResponses.Problem(StatusCodes.Status410Gone, "The download has expired", $"The ZIP of job {jobId} is no longer kept.");
    }

    private static ProblemHttpResult NoSuchJob(Guid jobId)
        => JobResponses.Problem(StatusCodes.Status404NotFound, "No such job", $"There is no job {jobId}.");
}
