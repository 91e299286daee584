using Bambuddy.Testing;

namespace Bambuddy.Restore.Tests.Database;

/// <summary>One PostgreSQL server for the database restore tests, for the whole run; the tests run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class RestoreDatabaseCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "restore-database-postgres";
}
