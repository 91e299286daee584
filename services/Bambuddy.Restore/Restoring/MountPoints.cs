using System.Text;

namespace Bambuddy.Restore.Restoring;

/// <summary>
/// Whether a folder is a mount point (a Docker volume or a NAS share mounted on <c>archive/</c>, say):
/// such a folder cannot be renamed away, so the restore swaps its contents instead. Read from
/// <c>/proc/self/mountinfo</c>, whose mount-point field escapes space, tab, newline and backslash in octal.
/// </summary>
public static class MountPoints
{
    public static bool IsMountPoint(string folder)
    {
        const string MountInfo = "/proc/self/mountinfo";
        if (!File.Exists(MountInfo))
        {
            return false;
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        foreach (var line in File.ReadLines(MountInfo))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && string.Equals(Unescape(fields[4]), full, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    internal static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }

    private static bool IsOctal(string s, int start) =>
        start + 3 <= s.Length && s[start] is >= '0' and <= '7' && s[start + 1] is >= '0' and <= '7' && s[start + 2] is >= '0' and <= '7';
}
