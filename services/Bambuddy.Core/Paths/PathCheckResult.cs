namespace Bambuddy.Core.Paths;

/// <summary>Bambuddy's path-check answer: <c>code</c> is ok | read_only | permission_denied | no_space | not_a_directory | missing | error.</summary>
public sealed record PathCheckResult(bool Writable, string Path, string Code, string Detail, string Remedy, string Message, string? Warning);
