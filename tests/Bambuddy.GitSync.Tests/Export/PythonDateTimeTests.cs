using Bambuddy.GitSync.Export;

namespace Bambuddy.GitSync.Tests.Export;

public sealed class PythonDateTimeTests
{
    [Theory]
    [InlineData("2026-03-04 05:06:07", "2026-03-04 05:06:07")]
    [InlineData("2026-03-04 05:06:07.123456", "2026-03-04 05:06:07.123456")]
    [InlineData("2026-03-04 05:06:07.000000", "2026-03-04 05:06:07")]
    [InlineData("2026-03-04 05:06:07.5", "2026-03-04 05:06:07.500000")]
    [InlineData("2026-03-04T05:06:07", "2026-03-04 05:06:07")]
    [InlineData("2026-03-04 05:06:07.123456+00:00", "2026-03-04 05:06:07.123456")]
    [InlineData("2026-03-04 05:06:07+02:00", "2026-03-04 03:06:07")]
    [InlineData("2026-03-04T05:06:07Z", "2026-03-04 05:06:07")]
    [InlineData("not a date", "not a date")]
    public void EveryFormABackendWritesBecomesPythonsStrOfANaiveUtcDatetime(string stored, string expected) =>
        Assert.Equal(expected, GitExport.PythonDateTime(stored));
}
