using Bambuddy.Testing;
using Npgsql;

namespace Bambuddy.Core.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresServerTests(PostgresServer server)
{
    [Fact]
    public async Task CreatedDatabaseAcceptsThePasswordAndAnswers()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var connectionString = await server.CreateDatabaseAsync("smoke_" + Guid.NewGuid().ToString("N")[..8], timeout.Token);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(timeout.Token);
        await using var command = new NpgsqlCommand("SELECT current_database(), current_setting('fsync')", connection);
        await using var reader = await command.ExecuteReaderAsync(timeout.Token);
        await reader.ReadAsync(timeout.Token);

        Assert.StartsWith("smoke_", reader.GetString(0));
        Assert.Equal("off", reader.GetString(1));
        Assert.True(server.ProcessId > 0);
    }
}
