using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bambuddy.GitSync.Export;

/// <summary>
/// Writes JSON exactly as Python's <c>json.dumps(obj, indent=2)</c> does (Bambuddy's git files): two-space
/// indent, <c>": "</c> between key and value, every non-ASCII character as a lowercase <c>\uXXXX</c>, floats
/// as Python's <c>repr</c>, no trailing newline. Identical data gives identical bytes, so git sees no change.
/// </summary>
public static class PythonJson
{
    private const string Hex = "0123456789abcdef";

    /// <summary>Printable ASCII that needs no escape: everything from space to tilde but the quote and the backslash.</summary>
    private static readonly System.Buffers.SearchValues<char> PlainAscii = System.Buffers.SearchValues.Create(
        string.Concat(Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c).Where(c => c is not '"' and not '\\')));

    public static string Serialize(JsonNode? node)
    {
        var builder = new StringBuilder();
        Write(builder, node, 0);
        return builder.ToString();
    }

    /// <summary>The file's bytes: the text is pure ASCII, so UTF-8 and ASCII agree.</summary>
    public static byte[] SerializeToUtf8Bytes(JsonNode? node) => Encoding.ASCII.GetBytes(Serialize(node));

    /// <summary>A float as Python's <c>repr(float)</c>: shortest round-trip digits, <c>1.0</c>, <c>1e-05</c>, <c>1e+16</c>.</summary>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // Whole numbers below 10^16 are most of the data (weights, temperatures): digits and ".0".
        if (Math.Abs(value) < 1e16 && value == Math.Floor(value))
        {
            return ((long)value).ToString(CultureInfo.InvariantCulture) + ".0";
        }

        // .NET's "R" gives the shortest round-trip digits; lay them out again as Python does.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        if (negative)
        {
            shortest = shortest[1..];
        }

        var exponentAt = shortest.IndexOfAny(['E', 'e']);
        var mantissa = exponentAt < 0 ? shortest : shortest[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(shortest[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.');
        var integerPart = dot < 0 ? mantissa : mantissa[..dot];
        var fraction = dot < 0 ? "" : mantissa[(dot + 1)..];
        var digits = (integerPart + fraction).TrimStart('0');
        var leadingZeros = (integerPart + fraction).Length - digits.Length;

        // The value is 0.DIGITS × 10^decimalPoint.
        var decimalPoint = integerPart.Length + exponent - leadingZeros;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        var result = new StringBuilder();
        if (negative)
        {
            result.Append('-');
        }

        if (decimalPoint is > -4 and <= 16)
        {
            if (decimalPoint <= 0)
            {
                result.Append("0.").Append('0', -decimalPoint).Append(digits);
            }
            else if (decimalPoint >= digits.Length)
            {
                result.Append(digits).Append('0', decimalPoint - digits.Length).Append(".0");
            }
            else
            {
                result.Append(digits, 0, decimalPoint).Append('.').Append(digits, decimalPoint, digits.Length - decimalPoint);
            }
        }
        else
        {
            var e = decimalPoint - 1;
            result.Append(digits[0]);
            if (digits.Length > 1)
            {
                result.Append('.').Append(digits, 1, digits.Length - 1);
            }

            result.Append('e').Append(e < 0 ? '-' : '+').Append(Math.Abs(e).ToString("00", CultureInfo.InvariantCulture));
        }

        return result.ToString();
    }

    private static void Write(StringBuilder builder, JsonNode? node, int depth)
    {
        switch (node)
        {
            case null:
                builder.Append("null");
                break;
            case JsonObject obj:
                if (obj.Count == 0)
                {
                    builder.Append("{}");
                    break;
                }

                builder.Append('{');
                var firstProperty = true;
                foreach (var (key, value) in obj)
                {
                    builder.Append(firstProperty ? "\n" : ",\n").Append(' ', (depth + 1) * 2);
                    firstProperty = false;
                    WriteString(builder, key);
                    builder.Append(": ");
                    Write(builder, value, depth + 1);
                }

                builder.Append('\n').Append(' ', depth * 2).Append('}');
                break;
            case JsonArray array:
                if (array.Count == 0)
                {
                    builder.Append("[]");
                    break;
                }

                builder.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    builder.Append(i == 0 ? "\n" : ",\n").Append(' ', (depth + 1) * 2);
                    Write(builder, array[i], depth + 1);
                }

                builder.Append('\n').Append(' ', depth * 2).Append(']');
                break;
            case JsonValue value:
                WriteValue(builder, value, depth);
                break;
        }
    }

    private static void WriteValue(StringBuilder builder, JsonValue value, int depth)
    {
        if (value.TryGetValue<JsonElement>(out var element))
        {
            WriteElement(builder, element, depth);
            return;
        }

        if (value.TryGetValue<string>(out var s))
        {
            WriteString(builder, s);
        }
        else if (value.TryGetValue<bool>(out var b))
        {
            builder.Append(b ? "true" : "false");
        }
        else if (value.TryGetValue<long>(out var l))
        {
            builder.Append(l.ToString(CultureInfo.InvariantCulture));
        }
        else if (value.TryGetValue<int>(out var i))
        {
            builder.Append(i.ToString(CultureInfo.InvariantCulture));
        }
        else if (value.TryGetValue<double>(out var d))
        {
            builder.Append(FormatFloat(d));
        }
        else if (value.TryGetValue<float>(out var f))
        {
            builder.Append(FormatFloat(f));
        }
        else if (value.TryGetValue<decimal>(out var m))
        {
            builder.Append(FormatFloat((double)m));
        }
        else
        {
            // Anything else (a char, a Guid, a nested POCO): as System.Text.Json writes it, read back and re-laid out.
            WriteElement(builder, JsonSerializer.SerializeToElement(value), depth);
        }
    }

    private static void WriteElement(StringBuilder builder, JsonElement element, int depth)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object or JsonValueKind.Array:
                // Rare (a value wrapping a whole object or array): as nodes, to share one layout.
                Write(builder, element.ValueKind == JsonValueKind.Object ? JsonObject.Create(element) : JsonArray.Create(element), depth);
                break;
            case JsonValueKind.String:
                WriteString(builder, element.GetString()!);
                break;
            case JsonValueKind.True:
                builder.Append("true");
                break;
            case JsonValueKind.False:
                builder.Append("false");
                break;
            case JsonValueKind.Number:
                WriteNumber(builder, element.GetRawText());
                break;
            default:
                builder.Append("null");
                break;
        }
    }

    /// <summary>A number as Python's <c>json.loads</c> then <c>dumps</c> gives it: an int stays an int, anything with a dot or exponent is a float.</summary>
    private static void WriteNumber(StringBuilder builder, string raw)
    {
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0)
        {
            var negative = raw.StartsWith('-');
            var digits = raw.TrimStart('-').TrimStart('0');
            builder.Append(digits.Length == 0 ? "0" : (negative ? "-" : "") + digits);
            return;
        }

        builder.Append(FormatFloat(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// Appends one scalar as Python writes it: null, a string, a bool, an integer (<see cref="long"/>, <see cref="int"/>)
    /// or a float (<see cref="double"/>). For writers that lay out large row lists without building nodes.
    /// </summary>
    internal static void WriteScalar(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case string s:
                WriteString(builder, s);
                break;
            case bool b:
                builder.Append(b ? "true" : "false");
                break;
            case long l:
                builder.Append(l);
                break;
            case int i:
                builder.Append(i);
                break;
            case double d:
                builder.Append(FormatFloat(d));
                break;
            default:
                throw new ArgumentException($"A {value.GetType().Name} is not a JSON scalar here.", nameof(value));
        }
    }

    internal static void WriteString(StringBuilder builder, string value)
    {
        if (!value.AsSpan().ContainsAnyExcept(PlainAscii))
        {
            builder.Append('"').Append(value).Append('"');
            return;
        }

        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                case >= ' ' and <= '~':
                    builder.Append(c);
                    break;
                default:
                    // UTF-16 code units: an astral character is already its surrogate pair, as Python writes it.
                    builder.Append("\\u").Append(Hex[c >> 12]).Append(Hex[(c >> 8) & 0xF]).Append(Hex[(c >> 4) & 0xF]).Append(Hex[c & 0xF]);
                    break;
            }
        }

        builder.Append('"');
    }
}
