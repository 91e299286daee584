using System.Runtime.InteropServices;

namespace Bambuddy.Testing;

/// <summary>The few libc calls .NET has no API for: sending a chosen signal, changing a file's owner.</summary>
internal static partial class NativeMethods
{
    public const int SigInt = 2;
    public const int SigQuit = 3;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chown(string path, uint owner, uint group);

    [LibraryImport("libc")]
    public static partial uint geteuid();
}
