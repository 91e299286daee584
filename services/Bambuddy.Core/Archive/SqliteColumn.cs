namespace Bambuddy.Core.Archive;

/// <summary>A column of a SQLite table as <c>pragma table_info</c> describes it.</summary>
internal sealed record SqliteColumn(string Name, string DeclaredType, bool NotNull, bool HasDefault);
