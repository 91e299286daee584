namespace Bambuddy.Core.Restore.Database;

/// <summary>Loading progress: the table being loaded and the rows loaded so far of all tables.</summary>
public sealed record DatabaseRestoreProgress(string Table, long RowsDone, long RowsTotal);
