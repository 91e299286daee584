namespace Bambuddy.Bench;

public sealed record ProcessOutcome(int ExitCode, string Output, string Error, TimeSpan Elapsed);
