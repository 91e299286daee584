using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Bambuddy.Core.Restore;

/// <summary>
/// Durability for a restore: <c>syncfs</c> writes every dirty page of one file system at once (far
/// cheaper than an fsync per extracted file), and a folder fsync makes renames in it survive a power cut.
/// </summary>
public static class FileSystemSync
{
    private const int ReadOnly = 0;
    private const int LinuxDirectoryFlag = 0x10000;

    /// <summary>Flushes the whole file system that holds <paramref name="path"/> (a folder) to disk.</summary>
    public static void SyncFileSystem(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var handle = OpenFolder(path);
        if (SyncFs(handle) != 0)
        {
            throw new IOException($"Could not flush the file system of '{path}' to disk (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>fsync of a folder, so renames in it are durable.</summary>
    public static void FlushFolder(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var handle = OpenFolder(path);
        if (Fsync(handle) != 0)
        {
            throw new IOException($"Could not flush the folder '{path}' to disk (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    private static SafeFileHandle OpenFolder(string path)
    {
        var fd = Open(path, ReadOnly | LinuxDirectoryFlag);
        if (fd < 0)
        {
            throw new IOException($"Could not open the folder '{path}' (errno {Marshal.GetLastPInvokeError()}).");
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    // DllImport rather than LibraryImport: the generated marshalling would need unsafe code in this assembly.
    [DllImport("libc", EntryPoint = "open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(SafeFileHandle fd);

    [DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static extern int SyncFs(SafeFileHandle fd);
}
