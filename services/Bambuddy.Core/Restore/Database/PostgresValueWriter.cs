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
        value is string s && (TryParseIso(s, out var parsed)
                              || DateTimeOffset.TryParseExact(s.Trim(), _dateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out parsed))
            ? parsed
            : throw Unconvertible(value, "a datetime");

    /// <summary>
    /// The fast path for <c>YYYY-MM-DD[ T]HH:MM[:SS[.f…]][Z|±HH[:MM]]</c>; trying a list of formats one by one
    /// would dominate the load. Anything else falls back to the format list.
    /// </summary>
    internal static bool TryParseIso(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length < 16 || text[4] != '-' || text[7] != '-' || (text[10] != ' ' && text[10] != 'T') || text[13] != ':'
            || !TryDigits(text, 0, 4, out var year) || !TryDigits(text, 5, 2, out var month) || !TryDigits(text, 8, 2, out var day)
            || !TryDigits(text, 11, 2, out var hour) || !TryDigits(text, 14, 2, out var minute))
        {
            return false;
        }

        var position = 16;
        var second = 0;
        long ticks = 0;
        if (position < text.Length && text[position] == ':')
        {
            if (!TryDigits(text, position + 1, 2, out second))
            {
                return false;
            }

            position += 3;
            if (position < text.Length && text[position] == '.')
            {
                var digits = 0;
                position++;
                while (position < text.Length && char.IsAsciiDigit(text[position]))
                {
                    if (digits < 7)
                    {
                        ticks = (ticks * 10) + (text[position] - '0');
                        digits++;
                    }

                    position++;
                }

                if (digits == 0)
                {
                    return false;
                }

                for (; digits < 7; digits++)
                {
                    ticks *= 10;
                }
            }
        }

        var offset = TimeSpan.Zero;
        var zone = text[position..];
        if (zone.Length > 0 && zone[0] == ' ')
        {
            zone = zone[1..];
        }

        if (zone.Length > 0 && zone is not "Z")
        {
            // ±HH, ±HH:MM or ±HHMM.
            var sign = zone[0] switch { '+' => 1, '-' => -1, _ => 0 };
            var minutesAt = zone.Length switch { 3 => -1, 5 => 3, 6 when zone[3] == ':' => 4, _ => 0 };
            var offsetMinutes = 0;
            if (sign == 0 || minutesAt == 0 || !TryDigits(zone, 1, 2, out var offsetHours)
                || (minutesAt > 0 && !TryDigits(zone, minutesAt, 2, out offsetMinutes)))
            {
                return false;
            }

            offset = sign * new TimeSpan(offsetHours, offsetMinutes, 0);
        }

        // Years at the ends of the range go the slow way, where an offset cannot overflow DateTimeOffset.
        if (year is < 2 or > 9998 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59
            || offset.Duration() > TimeSpan.FromHours(14))
        {
            return false;
        }

        value = new DateTimeOffset(new DateTime(year, month, day, hour, minute, second).AddTicks(ticks), offset);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        value = 0;
        if (start + count > text.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }

            value = (value * 10) + (text[i] - '0');
        }

        return true;
    }

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
