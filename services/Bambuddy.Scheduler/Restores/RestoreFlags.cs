namespace Bambuddy.Scheduler.Restores;

/// <summary>The options a client may set on a restore (query parameters, DESIGN §5).</summary>
public sealed record RestoreFlags(bool Force, bool AllowOrphans, bool AllowSchemaLoss);
