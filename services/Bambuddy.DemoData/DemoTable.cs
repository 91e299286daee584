namespace Bambuddy.DemoData;

/// <summary>Rows for one table, in column order, as the generator makes them before a bulk insert.</summary>
internal sealed class DemoTable(string name, params string[] columns)
{
    public string Name { get; } = name;

    public IReadOnlyList<string> Columns { get; } = columns;

    public List<object?[]> Rows { get; } = [];

    public void Add(params object?[] values)
    {
        if (values.Length != Columns.Count)
        {
            throw new ArgumentException($"{Name}: {values.Length} values for {Columns.Count} columns.");
        }

        Rows.Add(values);
    }
}
