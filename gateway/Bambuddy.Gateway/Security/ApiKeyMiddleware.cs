namespace Bambuddy.Gateway.Security;

/// <summary>Every route needs <c>X-API-Key</c> except health and the OpenAPI document with its reference page.</summary>
public sealed partial class ApiKeyMiddleware(RequestDelegate next, ApiKeyStore keys, ILogger<ApiKeyMiddleware> logger)
{
    public const string HeaderName = "X-API-Key";
    private static readonly string[] Anonymous = ["/health", "/alive", "/openapi", "/scalar"];
    private bool _announced;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!_announced)
        {
            _announced = true;
            LogKeySource(keys.Source);
        }

        if (Anonymous.Any(prefix => context.Request.Path.StartsWithSegments(prefix)))
        {
            await next(context);
            return;
        }

        var presented = context.Request.Headers[HeaderName].ToString();
        if (!keys.Matches(string.IsNullOrEmpty(presented) ? null : presented))
        {
            var reason = string.IsNullOrEmpty(presented)
                ? $"The {HeaderName} header is missing."
                : $"The {HeaderName} header does not match the API key.";
            await Results.Problem(detail: reason, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                extensions: new Dictionary<string, object?> { ["success"] = false, ["message"] = reason, ["reason"] = reason })
                .ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The API key is taken from {Source}")]
    private partial void LogKeySource(string source);
}
