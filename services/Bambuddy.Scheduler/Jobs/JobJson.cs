using System.Text.Json;

namespace Bambuddy.Scheduler.Jobs;

public static class JobJson
{
    /// <summary>snake_case throughout, as Bambuddy's API (DESIGN §7).</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}
