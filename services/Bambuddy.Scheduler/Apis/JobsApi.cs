using Bambuddy.Scheduler.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bambuddy.Scheduler.Apis;

public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/jobs").WithTags("Jobs");
        api.MapGet("/{jobId:guid}", GetJob).WithName(nameof(GetJob));
        return app;
    }

    public static async Task<Results<Ok<Job>, ProblemHttpResult>> GetJob(Guid jobId, JobStore store, CancellationToken cancellationToken)
        => await store.GetAsync(jobId, cancellationToken) is { } job
            ? TypedResults.Ok(job)
            : JobResponses.Problem(StatusCodes.Status404NotFound, "No such job", $"There is no job {jobId}.");
}
