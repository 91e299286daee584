using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Bambuddy.Core.Restore.Database;

/// <summary>
/// Writes a SQLite value (long, double, string or byte[]) into a binary COPY as the target column's type.
/// A value that cannot convert throws <see cref="FormatException"/> naming the value's kind, never the value.
/// </summary>
internal sealed class PostgresValueWriter
{
    private static readonly string[] _dateTimeFormats = BuildDateTimeFormats();

    private readonly Action<NpgsqlBinaryImporter, object> _write;

    private PostgresValueWriter(Action<NpgsqlBinaryImporter, object> write) => _write = write;

    public void Write(NpgsqlBinaryImporter importer, object value) => _write(importer, value);

    /// <summary>A writer for a column of base type <paramref name="typeName"/> (<c>pg_type.typname</c>); null when the type is not one Bambuddy uses.</summary>
    public static PostgresValueWriter? For(string typeName) => typeName switch
    {
        "bool" => new((i, v) => i.Write(ToBoolean(v), NpgsqlDbType.Boolean)),
        "int2" => new((i, v) => i.Write(checked((short)ToInt64(v)), NpgsqlDbType.Smallint)),
        "int4" => new((i, v) => i.Write(checked((int)ToInt64(v)), NpgsqlDbType.Integer)),
        "int8" => new((i, v) => i.Write(ToInt64(v), NpgsqlDbType.Bigint)),
        "float4" => new((i, v) => i.Write((float)ToDouble(v), NpgsqlDbType.Real)),
        "float8" => new((i, v) => i.Write(ToDouble(v), NpgsqlDbType.Double)),
        "numeric" => new((i, v) => i.Write(ToDecimal(v), NpgsqlDbType.Numeric)),
        "text" or "name" or "citext" => new((i, v) => i.Write(ToText(v), NpgsqlDbType.Text)),
        "varchar" => new((i, v) => i.Write(ToText(v), NpgsqlDbType.Varchar)),
        "bpchar" => new((i, v) => i.Write(ToText(v), NpgsqlDbType.Char)),
        "json" => new((i, v) => i.Write(ToJson(v), NpgsqlDbType.Json)),
        "jsonb" => new((i, v) => i.Write(ToJson(v), NpgsqlDbType.Jsonb)),
        "bytea" => new((i, v) => i.Write(ToBytes(v), NpgsqlDbType.Bytea)),
        "timestamp" => new((i, v) => i.Write(DateTime.SpecifyKind(ToDateTimeOffset(v).UtcDateTime, DateTimeKind.Unspecified), NpgsqlDbType.Timestamp)),
        "timestamptz" => new((i, v) => i.Write(ToDateTimeOffset(v).UtcDateTime, NpgsqlDbType.TimestampTz)),
        "date" => new((i, v) => i.Write(DateOnly.FromDateTime(ToDateTimeOffset(v).DateTime), NpgsqlDbType.Date)),
        "time" => new((i, v) => i.Write(ToTime(v), NpgsqlDbType.Time)),
        "uuid" => new((i, v) => i.Write(ToGuid(v), NpgsqlDbType.Uuid)),
        _ => null,
    };

    /// <summary>The kind of a SQLite value, for messages that must not show the value.</summary>
    public static string Kind(object value) => value switch
    {
        long => "an integer",
        double => "a real number",
        string => "a text",
        byte[] => "a blob",
        _ => "a value",
    };

    private static bool ToBoolean(object value) => value switch
    {
        long l => l != 0,
        double d => d != 0,
        string s when s is "1" || s.Equals("true", StringComparison.OrdinalIgnoreCase) || s.Equals("t", StringComparison.OrdinalIgnoreCase) => true,
        string s when s is "0" || s.Equals("false", StringComparison.OrdinalIgnoreCase) || s.Equals("f", StringComparison.OrdinalIgnoreCase) => false,
        _ => throw Unconvertible(value, "a boolean"),
    };

    private static long ToInt64(object value) => value switch
    {
        long l => l,
        double d when d == Math.Floor(d) && d >= long.MinValue && d <= long.MaxValue => (long)d,
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        _ => throw Unconvertible(value, "an integer"),
    };

    private static double ToDouble(object value) => value switch
    {
        double d => d,
        long l => l,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => throw Unconvertible(value, "a number"),
    };

    private static decimal ToDecimal(object value) => value switch
    {
        long l => l,
        double d when !double.IsNaN(d) && !double.IsInfinity(d) => decimal.Parse(d.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture),
        string s when decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) => m,
        _ => throw Unconvertible(value, "a number"),
    };

    private static string ToText(object value) => value switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => throw Unconvertible(value, "a text"),
    };

    private static string ToJson(object value)
    {
        var text = value as string ?? throw Unconvertible(value, "JSON");
        try
        {
            using var _ = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw Unconvertible(value, "JSON");
        }

        return text;
    }

    private static byte[] ToBytes(object value) => value switch
    {
        byte[] bytes => bytes,
        string s => Encoding.UTF8.GetBytes(s),
        _ => throw Unconvertible(value, "bytes"),
    };

    /// <summary>
    /// Every form Bambuddy writes: <c>YYYY-MM-DD HH:MM:SS</c>, with a 1–6 digit fraction, with an offset or
    /// <c>Z</c>, with <c>T</c>. A value without an offset is UTC, as Bambuddy stores it.
    /// </summary>
    private static DateTimeOffset ToDateTimeOffset(object value) =>
        value is string s && DateTimeOffset.TryParseExact(s.Trim(), _dateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : throw Unconvertible(value, "a datetime");

    private static TimeSpan ToTime(object value) =>
        value is string s && TimeOnly.TryParse(s, CultureInfo.InvariantCulture, out var time)
            ? time.ToTimeSpan()
            : throw Unconvertible(value, "a time");

    private static Guid ToGuid(object value) =>
        value is string s && Guid.TryParse(s, out var guid)
            ? guid
            : throw Unconvertible(value, "a uuid");

    private static FormatException Unconvertible(object value, string wanted) => new($"{Kind(value)} that is not {wanted}");

    private static string[] BuildDateTimeFormats()
    {
        var formats = new List<string> { "yyyy-MM-dd" };
        foreach (var separator in new[] { " ", "'T'" })
        {
            foreach (var seconds in new[] { "HH:mm", "HH:mm:ss", "HH:mm:ss.F", "HH:mm:ss.FF", "HH:mm:ss.FFF", "HH:mm:ss.FFFF", "HH:mm:ss.FFFFF", "HH:mm:ss.FFFFFF", "HH:mm:ss.FFFFFFF" })
            {
                foreach (var zone in new[] { "", "zzz", "zz", "'Z'", " zzz" })
                {
                    formats.Add($"yyyy-MM-dd{separator}{seconds}{zone}");
                }
            }
        }

        return [.. formats];
    }
}
