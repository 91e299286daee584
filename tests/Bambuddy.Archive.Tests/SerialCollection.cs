namespace Bambuddy.Archive.Tests;

/// <summary>Tests that measure the whole process (allocations) and so must run alone.</summary>
[CollectionDefinition(nameof(SerialCollection), DisableParallelization = true)]
public sealed class SerialCollection;
