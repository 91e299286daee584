using Bambuddy.Core.Archive;

namespace Bambuddy.ArchivePackager.Packaging;

/// <summary>
/// Fault injection for the end-to-end crash tests, off unless <c>Packaging:AllowFaultInjection</c> is true:
/// when the file <c>{state}/packager/kill-at-writing</c> exists as a backup starts writing its ZIP, the worker
/// deletes the file and kills itself (SIGKILL) with the <c>.partial</c> file half-written, as a power cut or an
/// OOM kill would stop it. Never on in production.
/// </summary>
public sealed class PackagerFaultInjection(string stateDirectory, bool enabled)
{
    public void Reached(ArchiveProgress progress)
    {
        if (!enabled || progress.Phase != ArchivePhase.Writing)
        {
            return;
        }

        var file = Path.Combine(stateDirectory, "packager", "kill-at-writing");
        if (File.Exists(file))
        {
            File.Delete(file);
            Console.Error.WriteLine("Fault injection: the archive-packager kills itself while writing a backup.");
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        }
    }
}
