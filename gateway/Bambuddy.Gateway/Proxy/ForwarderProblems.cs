using Yarp.ReverseProxy.Forwarder;

namespace Bambuddy.Gateway.Proxy;

/// <summary>Turns a failed forward (service down, timed out) into problem+json with a reason.</summary>
public static class ForwarderProblems
{
    public static async Task Write(HttpContext context, Func<Task> next)
    {
        await next();
        var error = context.GetForwarderErrorFeature();
        if (error is null || context.Response.HasStarted)
        {
            return;
        }

        var (status, reason) = error.Error switch
        {
            ForwarderError.RequestTimedOut => (StatusCodes.Status504GatewayTimeout, "The backup service did not answer in time."),
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled => (StatusCodes.Status499ClientClosedRequest, "The request was cancelled."),
            ForwarderError.RequestBodyClient => (StatusCodes.Status400BadRequest, "The request body could not be read (too large, or cut off)."),
            _ => (StatusCodes.Status502BadGateway, "The backup service is not reachable right now."),
        };
        context.Response.StatusCode = status;
        await Results.Problem(detail: reason, statusCode: status, extensions: new Dictionary<string, object?>
        {
            ["success"] = false,
            ["message"] = reason,
            ["reason"] = reason,
        }).ExecuteAsync(context);
    }
}
