using Bambuddy.Core.Installation;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Bambuddy.Core.Tests;

public sealed class InstallationResolverTests
{
    private const string StateDir = "/var/lib/bambuddy-backup";

    [Fact]
    public void FourSlashSqliteUrlIsAnAbsolutePath()
    {
        var installation = Resolve(("BAMBUDDY_DATA_DIR", "/data"), ("BAMBUDDY_DATABASE_URL", "sqlite+aiosqlite:////srv/bambuddy/bambuddy.db"));

        Assert.Equal(DatabaseBackend.Sqlite, installation.Backend);
        Assert.Equal("/srv/bambuddy/bambuddy.db", installation.SqlitePath);
        Assert.Equal("/data", installation.DataDirectory);
    }

    [Fact]
    public void ThreeSlashSqliteUrlIsRelativeToTheDataDirectory()
    {
        var installation = Resolve(("BAMBUDDY_DATA_DIR", "/data"), ("BAMBUDDY_DATABASE_URL", "sqlite:///db/bambuddy.db"));

        Assert.Equal("/data/db/bambuddy.db", installation.SqlitePath);
    }

    [Fact]
    public void OnlyTheDataDirectoryMeansBambuddyDbInIt()
    {
        var installation = Resolve(("BAMBUDDY_DATA_DIR", "/data/"));

        Assert.Equal(DatabaseBackend.Sqlite, installation.Backend);
        Assert.Equal("/data/bambuddy.db", installation.ConnectionString);
    }

    [Fact]
    public void AsyncpgUrlBecomesAnNpgsqlConnectionStringWithItsPassword()
    {
        var installation = Resolve(("BAMBUDDY_DATA_DIR", "/data"),
            ("BAMBUDDY_DATABASE_URL", "postgresql+asyncpg://bambuddy:p%40ss%3Aword@db.lan:5433/bambuddy_prod"));

        var builder = new NpgsqlConnectionStringBuilder(installation.ConnectionString);
        Assert.Equal(DatabaseBackend.PostgreSql, installation.Backend);
        Assert.Equal("db.lan", builder.Host);
        Assert.Equal(5433, builder.Port);
        Assert.Equal("bambuddy_prod", builder.Database);
        Assert.Equal("bambuddy", builder.Username);
        Assert.Equal("p@ss:word", builder.Password);
        Assert.DoesNotContain("p@ss", installation.Describe());
    }

    [Fact]
    public void NpgsqlConnectionStringIsTakenAsIs()
    {
        var installation = Resolve(("BAMBUDDY_DATA_DIR", "/data"),
            ("BAMBUDDY_DATABASE_URL", "Host=127.0.0.1;Port=6543;Database=bambuddy;Username=u;Password=secret"));

        var builder = new NpgsqlConnectionStringBuilder(installation.ConnectionString);
        Assert.Equal(DatabaseBackend.PostgreSql, installation.Backend);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("secret", builder.Password);
    }

    [Fact]
    public void NeitherVariableUsesTheAppHostDemoDatabase()
    {
        var installation = Resolve(("ConnectionStrings:bambuddy", "Host=localhost;Database=bambuddy"));

        Assert.Equal(DatabaseBackend.PostgreSql, installation.Backend);
        Assert.Equal(Path.Combine(StateDir, "demo-data"), installation.DataDirectory);
    }

    [Theory]
    [InlineData("mysql://root@localhost/bambuddy", "BAMBUDDY_DATABASE_URL")]
    [InlineData("sqlite+aiosqlite://", "BAMBUDDY_DATABASE_URL")]
    [InlineData("postgresql+asyncpg://user:pw@host:5432/", "BAMBUDDY_DATABASE_URL")]
    public void BadDatabaseUrlIsRefusedNamingTheVariable(string url, string variable)
    {
        var error = Assert.Throws<InstallationConfigurationException>(() => Resolve(("BAMBUDDY_DATA_DIR", "/data"), ("BAMBUDDY_DATABASE_URL", url)));

        Assert.Contains(variable, error.Message);
        Assert.DoesNotContain(":pw@", error.Message);
    }

    [Fact]
    public void RelativeDataDirectoryIsRefusedNamingTheVariable()
    {
        var error = Assert.Throws<InstallationConfigurationException>(() => Resolve(("BAMBUDDY_DATA_DIR", "data")));

        Assert.Contains("BAMBUDDY_DATA_DIR", error.Message);
    }

    [Fact]
    public void DatabaseUrlWithoutDataDirectoryIsRefusedNamingBoth()
    {
        var error = Assert.Throws<InstallationConfigurationException>(() => Resolve(("BAMBUDDY_DATABASE_URL", "sqlite:////x/bambuddy.db")));

        Assert.Contains("BAMBUDDY_DATA_DIR", error.Message);
        Assert.Contains("BAMBUDDY_DATABASE_URL", error.Message);
    }

    [Fact]
    public void NothingConfiguredIsRefusedNamingTheVariables()
    {
        var error = Assert.Throws<InstallationConfigurationException>(() => Resolve());

        Assert.Contains("BAMBUDDY_DATA_DIR", error.Message);
    }

    private static BambuddyInstallation Resolve(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();
        return InstallationResolver.Resolve(configuration, StateDir);
    }
}
