using Bambuddy.Core.Jobs;
using Bambuddy.Scheduler.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bambuddy.Scheduler.Apis;

/// <summary>The shapes long work answers with (DESIGN §7).</summary>
public static class JobResponses
{
    public static Accepted<JobAccepted> Accepted(Job job)
        => TypedResults.Accepted($"/api/v1/jobs/{job.JobId}", new JobAccepted(job.JobId, job.State));

    public static ProblemHttpResult Conflict(Guid runningJobId)
        => Problem(StatusCodes.Status409Conflict, "Another backup or restore is running",
            $"Job {runningJobId} is still running; one backup or restore at a time touches the installation.",
            new() { ["running_job_id"] = runningJobId, ["step"] = "queue" });

    /// <summary>An ended job: 200 with Bambuddy's success shape, or problem+json with <c>success: false</c>.</summary>
    public static IResult Outcome(Job job, string successMessage)
    {
        if (job.State == JobStates.Succeeded)
        {
            var body = new Dictionary<string, object?>
            {
                ["success"] = true,
                ["message"] = job.Result?["message"]?.GetValue<string>() is { Length: > 0 } m ? m : successMessage,
                ["job_id"] = job.JobId,
            };
            foreach (var (key, value) in job.Result ?? [])
            {
                body.TryAdd(key, value);
            }

            return TypedResults.Ok(body);
        }

        var status = job.State == JobStates.Cancelled ? StatusCodes.Status409Conflict : StatusCodes.Status500InternalServerError;
        var reason = job.Error?.Reason ?? "the job ended without a reason";
        return Problem(status, job.State == JobStates.Cancelled ? "The job was cancelled" : "The job failed", reason,
            new() { ["job_id"] = job.JobId, ["step"] = job.Error?.Step, ["state"] = job.State });
    }

    /// <summary>
    /// An ended restore: 200 with <c>restart_required</c> and the warnings; a refused backup 400 (step
    /// <c>validate</c>) or 422 (<c>schema</c>, <c>orphans</c>, other refusals); a failure of ours 500.
    /// </summary>
    public static IResult RestoreOutcome(Job job)
    {
        if (job.State == JobStates.Succeeded)
        {
            var body = new Dictionary<string, object?>
            {
                ["success"] = true,
                ["message"] = job.Result?["message"]?.GetValue<string>() is { Length: > 0 } m ? m : "Restore complete; restart Bambuddy.",
                ["job_id"] = job.JobId,
                ["restart_required"] = true,
                ["warnings"] = job.Warnings,
            };
            return TypedResults.Ok(body);
        }

        if (job.State != JobStates.Failed)
        {
            return Outcome(job, "");
        }

        var refused = job.Result?["refused"]?.GetValue<bool>() == true;
        var step = job.Error?.Step;
        var status = !refused ? StatusCodes.Status500InternalServerError
            : step == "validate" ? StatusCodes.Status400BadRequest
            : StatusCodes.Status422UnprocessableEntity;
        var reason = job.Error?.Reason ?? "the restore ended without a reason";
        return Problem(status, refused ? "The backup was refused" : "The restore failed", reason,
            new() { ["job_id"] = job.JobId, ["step"] = step, ["state"] = job.State, ["refused"] = refused, ["restart_required"] = false });
    }

    public static ProblemHttpResult Problem(int status, string title, string reason, Dictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?>(extensions ?? [])
        {
            ["success"] = false,
            ["message"] = reason,
            ["reason"] = reason,
        };
        return TypedResults.Problem(detail: reason, statusCode: status, title: title, extensions: all);
    }
}
