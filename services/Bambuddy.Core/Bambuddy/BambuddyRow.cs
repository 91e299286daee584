namespace Bambuddy.Core.Bambuddy;

/// <summary>
/// One database row as ordered (column, value) pairs, in the order asked for, so a caller can
/// serialise it in Bambuddy's key order. Values are normalised across backends: <see cref="long"/>,
/// <see cref="double"/>, <see cref="bool"/>, <see cref="string"/> (text, JSON and datetimes),
/// <see cref="T:byte[]"/>, or null. Datetimes from SQLite are the stored text; from PostgreSQL they are
/// formatted as Python prints them (<c>YYYY-MM-DD HH:MM:SS[.ffffff][+00:00]</c>).
/// </summary>
public sealed class BambuddyRow(IReadOnlyList<KeyValuePair<string, object?>> values) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => values.Count;

    public KeyValuePair<string, object?> this[int index] => values[index];

    /// <summary>The value of a column; throws when the row has no such column.</summary>
    public object? this[string column]
    {
        get
        {
            foreach (var pair in values)
            {
                if (pair.Key == column)
                {
                    return pair.Value;
                }
            }

            throw new KeyNotFoundException($"The row has no column '{column}'.");
        }
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
