using System.Text;
using System.Text.Unicode;

namespace Bambuddy.Core.Restore.Zip;

/// <summary>Decodes entry names as ZIP writers encode them and says what makes a name unsafe to extract.</summary>
internal static class ZipEntryNames
{
    private static readonly Encoding _strictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly Lazy<Encoding> _cp437 = new(() => CodePagesEncodingProvider.Instance.GetEncoding(437) ?? Encoding.Latin1);

    /// <summary>
    /// UTF-8 when flag bit 11 says so; otherwise ASCII, or UTF-8 when the bytes are valid UTF-8 (many tools
    /// write UTF-8 without the flag), else CP437 as the ZIP format says. Null: bit 11 set on invalid UTF-8.
    /// </summary>
    public static string? Decode(ReadOnlySpan<byte> bytes, bool utf8Flag)
    {
        if (utf8Flag || !Ascii.IsValid(bytes) && Utf8.IsValid(bytes))
        {
            try
            {
                return _strictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
        }

        return Ascii.IsValid(bytes) ? Encoding.ASCII.GetString(bytes) : _cp437.Value.GetString(bytes);
    }

    /// <summary>Why the name may not be extracted, or null when it is a safe relative name (a trailing '/' marks a directory).</summary>
    public static string? Problem(string name, int byteCount, RestoreLimits limits)
    {
        if (name.Length == 0)
        {
            return "has an empty name";
        }

        if (byteCount > limits.MaxNameBytes)
        {
            return $"has a name of {byteCount} bytes, over the limit of {limits.MaxNameBytes}";
        }

        if (name.Contains('\0'))
        {
            return "has a NUL character in its name";
        }

        if (name[0] == '/')
        {
            return "has an absolute path";
        }

        if (name.Length >= 2 && char.IsAsciiLetter(name[0]) && name[1] == ':')
        {
            return "starts with a drive letter";
        }

        if (name.Contains('\\'))
        {
            return "has a backslash in its name (only '/' separates folders in a ZIP)";
        }

        var body = name[^1] == '/' ? name[..^1] : name;
        if (body.Length == 0)
        {
            return "has an empty name";
        }

        foreach (var segment in body.Split('/'))
        {
            switch (segment)
            {
                case "":
                    return "has an empty path segment ('//')";
                case ".":
                    return "has a '.' path segment";
                case "..":
                    return "has a '..' path segment (it would be written outside the restore folder)";
            }

            if (Encoding.UTF8.GetByteCount(segment) > RestoreLimits.MaxSegmentBytes)
            {
                return $"has a path segment longer than {RestoreLimits.MaxSegmentBytes} bytes";
            }
        }

        return null;
    }

    /// <summary>The name as an error message shows it: quoted, control characters escaped, cut when very long.</summary>
    public static string Display(string name)
    {
        var builder = new StringBuilder(Math.Min(name.Length, 160) + 2);
        builder.Append('\'');
        foreach (var c in name.Length > 160 ? name[..160] : name)
        {
            if (char.IsControl(c))
            {
                builder.Append($"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        if (name.Length > 160)
        {
            builder.Append("…");
        }

        return builder.Append('\'').ToString();
    }
}
