namespace Bambuddy.Storage.Tests;

/// <summary>Tokens that fail a hung test instead of letting it hang the run.</summary>
internal static class Timeouts
{
    public static CancellationTokenSource Short() => new(TimeSpan.FromSeconds(30));

    public static CancellationTokenSource Long() => new(TimeSpan.FromMinutes(3));
}
