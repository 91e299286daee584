using System.Text.RegularExpressions;

namespace Bambuddy.Core.Storage;

/// <summary>The one rule for names a store accepts: a plain <c>bambuddy-backup-*.zip</c> file name.</summary>
public static partial class BackupName
{
    private const string Prefix = "bambuddy-backup-";
    private const string Extension = ".zip";
    private const int MaxLength = 255;

    /// <summary>Throws an <see cref="ArgumentException"/> saying why when <paramref name="name"/> is not a backup name.</summary>
    public static void Validate(string name, string paramName = "name")
    {
        if (Problem(name) is { } problem)
        {
            throw new ArgumentException(problem, paramName);
        }
    }

    public static bool IsValid(string name) => Problem(name) is null;

    /// <summary>A lower-case hex SHA-256, or an <see cref="ArgumentException"/>.</summary>
    public static string NormalizeSha256(string sha256, string paramName = "sha256")
    {
        if (sha256 is null || !Sha256Hex().IsMatch(sha256))
        {
            throw new ArgumentException("The SHA-256 must be 64 hexadecimal digits.", paramName);
        }

        return sha256.ToLowerInvariant();
    }

    private static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "A backup name is required.";
        }

        var shown = name.Replace("\0", "\\0", StringComparison.Ordinal);
        if (name.Contains('\0'))
        {
            return $"The backup name '{shown}' contains a NUL character.";
        }

        if (name.Contains('/') || name.Contains('\\'))
        {
            return $"The backup name '{shown}' is a path; only a plain file name is accepted.";
        }

        if (name.Contains("..", StringComparison.Ordinal))
        {
            return $"The backup name '{shown}' contains '..'.";
        }

        if (name.Any(char.IsControl))
        {
            return $"The backup name '{shown}' contains a control character.";
        }

        if (name.Length > MaxLength)
        {
            return $"The backup name is longer than {MaxLength} characters.";
        }

        if (name.Length <= Prefix.Length + Extension.Length
            || !name.StartsWith(Prefix, StringComparison.Ordinal)
            || !name.EndsWith(Extension, StringComparison.Ordinal))
        {
            return $"'{shown}' is not a backup name: backups are named {Prefix}*{Extension}.";
        }

        return null;
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Hex();
}
