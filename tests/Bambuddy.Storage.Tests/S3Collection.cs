using Bambuddy.Testing;

namespace Bambuddy.Storage.Tests;

/// <summary>One s3rver for every test class in this collection, for the whole run.</summary>
[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3Server>
{
    public const string Name = "s3";
}
