using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Bambuddy.Core.Archive;

/// <summary>
/// Checks a backup's data entry names as they stream past: each a relative <c>/</c>-separated file name, none
/// twice, none the database's or the manifest's. While the names come sorted (as the planner yields them) a
/// duplicate can only be the previous name, so nothing is kept; from the first name out of order on, a 64-bit
/// hash of every name is kept and a hash seen before is settled against the names in the manifest's spill file.
/// </summary>
internal sealed class BackupEntryNameCheck(BackupManifestSpill written)
{
    private string? _previous;
    private HashSet<ulong>? _seen;

    /// <exception cref="ArgumentException">The name is not one a backup entry may have, or is already in the ZIP.</exception>
    public void Check(BackupEntry entry)
    {
        var name = entry.Name;
        if (!IsRelativeFileName(name))
        {
            throw new ArgumentException($"'{name}' is not a relative '/'-separated file name a ZIP entry may have.", "dataEntries");
        }

        if (entry.Size < 0)
        {
            throw new ArgumentException($"'{name}' has a negative size.", "dataEntries");
        }

        if (name is BackupZipWriter.DatabaseEntryName or BackupManifest.FileName || IsDuplicate(name))
        {
            throw new ArgumentException($"'{name}' is in the backup twice (or collides with the database or the manifest).", "dataEntries");
        }
    }

    private bool IsDuplicate(string name)
    {
        if (_seen is null)
        {
            var order = _previous is null ? 1 : string.CompareOrdinal(name, _previous);
            if (order > 0)
            {
                _previous = name;
                return false;
            }

            if (order == 0)
            {
                return true;
            }

            _seen = [];
            foreach (var path in written.Paths())
            {
                _seen.Add(Hash(path));
            }
        }

        return !_seen.Add(Hash(name)) && written.Paths().Contains(name, StringComparer.Ordinal);
    }

    private static ulong Hash(string name) => XxHash64.HashToUInt64(MemoryMarshal.AsBytes(name.AsSpan()));

    private static bool IsRelativeFileName(string name)
    {
        if (name.Length == 0 || name[0] == '/' || name[^1] == '/' || name.Contains('\\') || name.Contains('\0'))
        {
            return false;
        }

        foreach (var range in name.AsSpan().Split('/'))
        {
            var segment = name.AsSpan(range);
            if (segment.IsEmpty || segment is "." or "..")
            {
                return false;
            }
        }

        return true;
    }
}
