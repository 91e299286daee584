using Bambuddy.Testing;

namespace Bambuddy.GitSync.Tests.Support;

/// <summary>One PostgreSQL server (the job ledger's database) for every test class in this collection.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>, ICollectionFixture<GitServerFixture>
{
    public const string Name = "postgres";
}
