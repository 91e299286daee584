namespace Bambuddy.Core.Restore.Database;

/// <summary>
/// The database step of a restore refuses: <c>validate</c> (the backup's database is not usable),
/// <c>schema</c> (it cannot fill the target's schema) or <c>database</c> (loading or swapping failed).
/// The reason names tables, columns and row ids, never a stored value.
/// </summary>
public sealed class DatabaseRefusedException(string step, string reason) : Exception(reason)
{
    public string Step { get; } = step;

    public string Reason { get; } = reason;
}
