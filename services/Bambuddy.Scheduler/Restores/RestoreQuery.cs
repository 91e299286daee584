using Microsoft.AspNetCore.Mvc;

namespace Bambuddy.Scheduler.Restores;

/// <summary>The query of every restore endpoint: <c>wait</c> and the restore options (DESIGN §5, §7).</summary>
public sealed record RestoreQuery(
    [FromQuery(Name = "wait")] bool? Wait,
    [FromQuery(Name = "force")] bool? Force,
    [FromQuery(Name = "allow_orphans")] bool? AllowOrphans,
    [FromQuery(Name = "allow_schema_loss")] bool? AllowSchemaLoss)
{
    public RestoreFlags Flags => new(Force == true, AllowOrphans == true, AllowSchemaLoss == true);
}
