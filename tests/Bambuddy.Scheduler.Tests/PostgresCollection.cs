using Bambuddy.Testing;

namespace Bambuddy.Scheduler.Tests;

/// <summary>One PostgreSQL server for every test class in this collection, for the whole run.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
