namespace Bambuddy.Core.Restore.Database;

/// <summary>The backup's schema against the target's.</summary>
/// <param name="Lost"><c>table</c> or <c>table.column</c> of the backup that the target lacks: not restored.</param>
/// <param name="Refusals"><c>table.column</c>: NOT NULL target columns without a default that the backup lacks.</param>
/// <param name="Defaulted"><c>table.column</c> the backup lacks that take their default, or <c>table</c> that ends empty.</param>
public sealed record SchemaCheck(IReadOnlyList<string> Lost, IReadOnlyList<string> Refusals, IReadOnlyList<string> Defaulted);
