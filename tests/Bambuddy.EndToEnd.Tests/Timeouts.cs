namespace Bambuddy.EndToEnd.Tests;

internal static class Timeouts
{
    public static readonly TimeSpan Start = TimeSpan.FromMinutes(4);
    public static readonly TimeSpan Call = TimeSpan.FromSeconds(60);

    public static CancellationToken For(TimeSpan timeout) => new CancellationTokenSource(timeout).Token;

    public static CancellationToken CallToken() => For(Call);
}
