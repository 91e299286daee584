using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Bambuddy.Core.Archive;

/// <summary>
/// fsync of a folder, so a rename in it survives a power cut. .NET refuses to open a directory as a
/// file handle, so this goes to libc: open(O_RDONLY | O_DIRECTORY), fsync, close. Also Linux's
/// sync_file_range, which starts writing a file's dirty pages early so the final fsync is short.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnly = 0;
    private const int LinuxDirectoryFlag = 0x10000;
    private const int MacDirectoryFlag = 0x100000;
    private const uint SyncFileRangeWrite = 2;

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            // NTFS journals the rename itself; there is no directory handle to flush.
            return;
        }

        var flags = ReadOnly | (OperatingSystem.IsMacOS() ? MacDirectoryFlag : LinuxDirectoryFlag);
        var fd = Open(directory, flags);
        if (fd < 0)
        {
            throw new IOException($"Could not open the folder '{directory}' to flush it to disk (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Could not flush the folder '{directory}' to disk (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Asks Linux to start writing a range of the file to disk, without waiting; a hint, so failures are ignored.</summary>
    public static void StartWriteback(SafeFileHandle file, long offset, long length)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = SyncFileRange(file, offset, length, SyncFileRangeWrite);
        }
    }

    // DllImport rather than LibraryImport: the generated marshalling would need unsafe code in this assembly.
    [DllImport("libc", EntryPoint = "open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);

    [DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static extern int SyncFileRange(SafeFileHandle fd, long offset, long nbytes, uint flags);
}
