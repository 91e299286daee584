namespace Bambuddy.Core.Restore;

/// <summary>
/// A restore refused on purpose, before or while it changes anything: <see cref="Step"/> says which step
/// (<c>validate</c>, …) and the message why, naming the entry or table at fault. The message never holds a secret.
/// </summary>
public sealed class BackupRefusedException(string step, string reason, Exception? innerException = null)
    : Exception(reason, innerException)
{
    /// <summary>The step of validating the backup ZIP (DESIGN §5.1).</summary>
    public const string ValidateStep = "validate";

    /// <summary>The restore step that refused, e.g. <c>validate</c>.</summary>
    public string Step { get; } = step;

    /// <summary>Why, in a sentence a user can act on (the same as <see cref="Exception.Message"/>).</summary>
    public string Reason => Message;
}
