using System.Text.Json.Nodes;
using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using Bambuddy.Scheduler.Apis;
using Bambuddy.Scheduler.Jobs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bambuddy.Scheduler.Tests.Restores;

public sealed class RestoreOutcomeTests
{
    [Theory]
    [InlineData(JobStates.Failed, "validate", true, 400)]
    [InlineData(JobStates.Failed, "schema", true, 422)]
    [InlineData(JobStates.Failed, "orphans", true, 422)]
    [InlineData(JobStates.Failed, "sessions", true, 422)]
    [InlineData(JobStates.Failed, "files", false, 500)]
    [InlineData(JobStates.Failed, "worker", null, 500)]
    [InlineData(JobStates.Cancelled, "cancelled", null, 409)]
    public void EndedRestoreAnswersTheStatusOfHowItEnded(string state, string step, bool? refused, int status)
    {
        var job = Job(state, refused is null ? null : new JsonObject { ["refused"] = refused }, new JobError(step, "why"));

        var result = JobResponses.RestoreOutcome(job);

        var problem = Assert.IsType<ProblemHttpResult>(result);
        Assert.Equal(status, problem.StatusCode);
        Assert.Equal(false, problem.ProblemDetails.Extensions["success"]);
        Assert.Equal(step, problem.ProblemDetails.Extensions["step"]);
        Assert.Equal("why", problem.ProblemDetails.Extensions["reason"]);
        Assert.Equal(job.JobId, problem.ProblemDetails.Extensions["job_id"]);
    }

    [Fact]
    public void SucceededRestoreAnswers200WithRestartRequiredAndWarnings()
    {
        var job = Job(JobStates.Succeeded, new JsonObject { ["message"] = "Restored" }, null, ["no manifest"]);

        var result = JobResponses.RestoreOutcome(job);

        var ok = Assert.IsType<Ok<Dictionary<string, object?>>>(result);
        Assert.Equal(StatusCodes.Status200OK, ok.StatusCode);
        Assert.Equal(true, ok.Value!["success"]);
        Assert.Equal("Restored", ok.Value["message"]);
        Assert.Equal(true, ok.Value["restart_required"]);
        Assert.Equal(job.JobId, ok.Value["job_id"]);
        Assert.Equal(new[] { "no manifest" }, ok.Value["warnings"]);
    }

    private static Job Job(string state, JsonObject? result, JobError? error, IReadOnlyList<string>? warnings = null) => new(
        Guid.CreateVersion7(), JobKinds.Restore, Triggers.Manual, state, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow,
        new JobProgress("done", 0, 0, 0, 0), result, error, warnings ?? []);
}
