using Microsoft.Win32.SafeHandles;

namespace Bambuddy.Core.Restore.Zip;

/// <summary>
/// Reads small records (local or central headers, digests) mostly in file order through a window, so a ZIP of many
/// small files costs a few hundred reads rather than one per entry, and a ZIP of large files one small read per entry.
/// </summary>
internal sealed class FileWindow(SafeFileHandle handle, long end, int windowSize = FileWindow.DefaultSize)
{
    public const int DefaultSize = 16 << 10;

    /// <summary>For front-to-back scans of the central directory: large, yet below the large-object heap's threshold.</summary>
    public const int ScanSize = 64 << 10;

    private readonly byte[] _window = new byte[windowSize];
    private long _start = -1;
    private int _length;

    /// <summary>The <paramref name="count"/> bytes at <paramref name="offset"/>, fewer when the file ends first; valid until the next call.</summary>
    public ReadOnlySpan<byte> Read(long offset, int count)
    {
        if (_start >= 0 && offset >= _start && offset + count <= _start + _length)
        {
            return _window.AsSpan((int)(offset - _start), count);
        }

        var target = count <= _window.Length ? _window : new byte[count];
        var wanted = (int)Math.Min(target.Length, end - offset);
        var filled = 0;
        while (filled < wanted)
        {
            var read = RandomAccess.Read(handle, target.AsSpan(filled, wanted - filled), offset + filled);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        if (target == _window)
        {
            _start = offset;
            _length = filled;
        }

        return target.AsSpan(0, Math.Min(count, filled));
    }
}
