using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using SQLitePCL;

namespace Bambuddy.Core.Restore.Database;

/// <summary>
/// Writes the value in one column of a SQLite statement's current row into a binary COPY as the target column's
/// type. The common pairs (an integer into an integer or boolean, a real into a float, text into text or JSON, an
/// ISO datetime into a timestamp) go straight from SQLite's memory into the COPY buffer; everything else goes
/// through the boxed value and the conversions below. A value that cannot convert throws
/// <see cref="FormatException"/> (or <see cref="OverflowException"/>) naming the value's kind, never the value.
/// </summary>
internal static class PostgresValueWriter
{
    private static readonly string[] _dateTimeFormats = BuildDateTimeFormats();
    private static readonly long _postgresEpochTicks = new DateTime(2000, 1, 1).Ticks;
    private static readonly int _postgresEpochDay = new DateOnly(2000, 1, 1).DayNumber;

    /// <summary>The type for a column of base type <paramref name="typeName"/> (<c>pg_type.typname</c>); null when the type is not one Bambuddy uses.</summary>
    public static PostgresCopyType? For(string typeName) => typeName switch
    {
        "bool" => PostgresCopyType.Boolean,
        "int2" => PostgresCopyType.Int16,
        "int4" => PostgresCopyType.Int32,
        "int8" => PostgresCopyType.Int64,
        "float4" => PostgresCopyType.Single,
        "float8" => PostgresCopyType.Double,
        "numeric" => PostgresCopyType.Numeric,
        "text" or "name" or "citext" or "varchar" or "bpchar" => PostgresCopyType.Text,
        "json" => PostgresCopyType.Json,
        "jsonb" => PostgresCopyType.Jsonb,
        "bytea" => PostgresCopyType.Bytea,
        "timestamp" => PostgresCopyType.Timestamp,
        "timestamptz" => PostgresCopyType.TimestampTz,
        "date" => PostgresCopyType.Date,
        "time" => PostgresCopyType.Time,
        "uuid" => PostgresCopyType.Uuid,
        _ => null,
    };

    /// <summary>Writes column <paramref name="column"/> of the current row, whose storage class is <paramref name="storage"/> (not NULL).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Write(PostgresCopyWriter writer, SqliteRow row, int column, int storage, PostgresCopyType type)
    {
        switch (type)
        {
            case PostgresCopyType.Int64 when storage == raw.SQLITE_INTEGER:
                writer.WriteInt64Field(row.Int64(column));
                return;
            case PostgresCopyType.Int32 when storage == raw.SQLITE_INTEGER:
                writer.WriteInt32Field(checked((int)row.Int64(column)));
                return;
            case PostgresCopyType.Boolean when storage == raw.SQLITE_INTEGER:
                writer.WriteBoolean(row.Int64(column) != 0);
                return;
            case PostgresCopyType.Double when storage == raw.SQLITE_FLOAT:
                writer.WriteDouble(row.Double(column));
                return;
            case PostgresCopyType.Double when storage == raw.SQLITE_INTEGER:
                writer.WriteDouble(row.Int64(column));
                return;
            case PostgresCopyType.Text or PostgresCopyType.Json when storage == raw.SQLITE_TEXT:
                // PostgreSQL checks the bytes: invalid UTF-8, a NUL or malformed JSON is refused by the server, naming the column.
                writer.WriteBytes(row.Utf8(column));
                return;
            case PostgresCopyType.Jsonb when storage == raw.SQLITE_TEXT:
                writer.WriteBytes(row.Utf8(column), prefix: 1);
                return;
            case PostgresCopyType.Bytea when storage == raw.SQLITE_BLOB:
                writer.WriteBytes(row.Blob(column));
                return;
            case PostgresCopyType.Timestamp or PostgresCopyType.TimestampTz when storage == raw.SQLITE_TEXT && TryParseIso(row.Utf8(column), out var parsed):
                writer.WriteInt64Field(Microseconds(parsed));
                return;
        }

        WriteConverted(writer, Box(row, column, storage), type);
    }

    /// <summary>The kind of a value of storage class <paramref name="storage"/>, for messages that must not show the value.</summary>
    public static string Kind(int storage) => storage switch
    {
        raw.SQLITE_INTEGER => "an integer",
        raw.SQLITE_FLOAT => "a real number",
        raw.SQLITE_TEXT => "a text",
        raw.SQLITE_BLOB => "a blob",
        _ => "a value",
    };

    /// <summary>The column's value as Microsoft.Data.Sqlite would give it: long, double, string or byte[].</summary>
    public static object Box(SqliteRow row, int column, int storage) => storage switch
    {
        raw.SQLITE_INTEGER => row.Int64(column),
        raw.SQLITE_FLOAT => row.Double(column),
        raw.SQLITE_TEXT => Encoding.UTF8.GetString(row.Utf8(column)),
        _ => row.Blob(column).ToArray(),
    };

    private static void WriteConverted(PostgresCopyWriter writer, object value, PostgresCopyType type)
    {
        switch (type)
        {
            case PostgresCopyType.Boolean:
                writer.WriteBoolean(ToBoolean(value));
                break;
            case PostgresCopyType.Int16:
                writer.WriteInt16(checked((short)ToInt64(value)));
                break;
            case PostgresCopyType.Int32:
                writer.WriteInt32Field(checked((int)ToInt64(value)));
                break;
            case PostgresCopyType.Int64:
                writer.WriteInt64Field(ToInt64(value));
                break;
            case PostgresCopyType.Single:
                writer.WriteSingle((float)ToDouble(value));
                break;
            case PostgresCopyType.Double:
                writer.WriteDouble(ToDouble(value));
                break;
            case PostgresCopyType.Numeric:
                WriteNumeric(writer, ToDecimal(value));
                break;
            case PostgresCopyType.Text:
                writer.WriteBytes(Encoding.UTF8.GetBytes(ToText(value)));
                break;
            case PostgresCopyType.Json:
                writer.WriteBytes(Encoding.UTF8.GetBytes(value as string ?? throw Unconvertible(value, "JSON")));
                break;
            case PostgresCopyType.Jsonb:
                writer.WriteBytes(Encoding.UTF8.GetBytes(value as string ?? throw Unconvertible(value, "JSON")), prefix: 1);
                break;
            case PostgresCopyType.Bytea:
                writer.WriteBytes(ToBytes(value));
                break;
            case PostgresCopyType.Timestamp or PostgresCopyType.TimestampTz:
                writer.WriteInt64Field(Microseconds(ToDateTimeOffset(value)));
                break;
            case PostgresCopyType.Date:
                writer.WriteInt32Field(DateOnly.FromDateTime(ToDateTimeOffset(value).DateTime).DayNumber - _postgresEpochDay);
                break;
            case PostgresCopyType.Time:
                writer.WriteInt64Field(ToTime(value).Ticks / TimeSpan.TicksPerMicrosecond);
                break;
            case PostgresCopyType.Uuid:
                ToGuid(value).TryWriteBytes(writer.Field(16), bigEndian: true, out _);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
    }

    /// <summary>Both timestamp types carry microseconds since 2000-01-01: UTC for timestamptz, the UTC wall time for timestamp.</summary>
    private static long Microseconds(DateTimeOffset value) => (value.UtcTicks - _postgresEpochTicks) / TimeSpan.TicksPerMicrosecond;

    /// <summary>
    /// PostgreSQL's binary numeric: digit count, weight, sign and display scale, then base-10000 digits,
    /// the first of which is worth 10000^weight.
    /// </summary>
    private static void WriteNumeric(PostgresCopyWriter writer, decimal value)
    {
        var text = Math.Abs(value).ToString(CultureInfo.InvariantCulture);
        var point = text.IndexOf('.', StringComparison.Ordinal);
        var integer = (point < 0 ? text : text[..point]).TrimStart('0');
        var fraction = point < 0 ? "" : text[(point + 1)..];
        var digits = new string('0', (4 - (integer.Length % 4)) % 4) + integer + fraction + new string('0', (4 - (fraction.Length % 4)) % 4);
        var groups = new List<short>();
        for (var i = 0; i < digits.Length; i += 4)
        {
            groups.Add(short.Parse(digits.AsSpan(i, 4), NumberStyles.None, CultureInfo.InvariantCulture));
        }

        var weight = ((integer.Length + 3) / 4) - 1;
        var first = 0;
        while (first < groups.Count && groups[first] == 0)
        {
            first++;
            weight--;
        }

        var last = groups.Count;
        while (last > first && groups[last - 1] == 0)
        {
            last--;
        }

        var count = last - first;
        var field = writer.Field(8 + (2 * count));
        BinaryPrimitives.WriteInt16BigEndian(field, (short)count);
        BinaryPrimitives.WriteInt16BigEndian(field[2..], (short)(count == 0 ? 0 : weight));
        BinaryPrimitives.WriteUInt16BigEndian(field[4..], value < 0 && count > 0 ? (ushort)0x4000 : (ushort)0);
        BinaryPrimitives.WriteInt16BigEndian(field[6..], (short)fraction.Length);
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt16BigEndian(field[(8 + (2 * i))..], groups[first + i]);
        }
    }

    /// <summary>The kind of a boxed SQLite value, for messages that must not show the value.</summary>
    private static string KindOf(object value) => value switch
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryParseIso(ReadOnlySpan<byte> utf8, out DateTimeOffset value)
    {
        value = default;
        if (utf8.Length is < 16 or > 48)
        {
            return false;
        }

        // A byte that is not ASCII becomes a character the parser refuses.
        Span<char> text = stackalloc char[utf8.Length];
        for (var i = 0; i < utf8.Length; i++)
        {
            text[i] = (char)utf8[i];
        }

        return TryParseIso(text, out value);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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

    private static FormatException Unconvertible(object value, string wanted) => new($"{KindOf(value)} that is not {wanted}");

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
