using Bambuddy.Core.Installation;
using Bambuddy.DemoData;

namespace Bambuddy.Core.Tests;

public sealed class DemoInstallationOptionsTests
{
    [Theory]
    [InlineData("5MB", 5L << 20)]
    [InlineData("2GB", 2L << 30)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("512KiB", 512L << 10)]
    [InlineData("1000", 1000L)]
    public void SizesAreReadInBinaryUnits(string text, long bytes)
    {
        Assert.Equal(bytes, DemoInstallationOptions.ParseSize(text));
    }

    [Theory]
    [InlineData("5XB")]
    [InlineData("MB")]
    [InlineData("-3MB")]
    public void BadSizesAreRefused(string text)
    {
        Assert.Throws<FormatException>(() => DemoInstallationOptions.ParseSize(text));
    }

    [Fact]
    public void WithoutADatabaseUrlTheDatabaseIsBambuddyDbInTheDataDirectory()
    {
        var installation = new DemoInstallationOptions("/srv/bambuddy").ResolveInstallation();

        Assert.Equal(DatabaseBackend.Sqlite, installation.Backend);
        Assert.Equal("/srv/bambuddy/bambuddy.db", installation.SqlitePath);
    }

    [Fact]
    public void ARelativeDataDirectoryIsRefused()
    {
        Assert.Throws<ArgumentException>(() => new DemoInstallationOptions("data").ResolveInstallation());
    }
}
