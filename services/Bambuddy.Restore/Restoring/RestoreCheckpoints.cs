namespace Bambuddy.Restore.Restoring;

/// <summary>
/// Named points of a restore where fault-injection tests stop the worker (DESIGN §5.6: killed during the
/// database load or during the file swap, the installation must end old or new, never a mix).
/// The product's implementation does nothing unless fault injection is switched on (see <see cref="FaultInjectionCheckpoints"/>).
/// </summary>
public interface IRestoreCheckpoints
{
    ValueTask ReachedAsync(Guid jobId, string checkpoint, CancellationToken cancellationToken);

    /// <summary>True for the exception a test throws to stand for a crash: the runner then leaves everything as a crash would.</summary>
    bool IsSimulatedCrash(Exception exception);
}

public static class Checkpoints
{
    public const string DatabaseLoading = "database_loading";
    public const string DatabaseLoaded = "database_loaded";
    public const string DatabaseCommitted = "database_committed";
    public const string FolderSwapped = "folder_swapped";
    public const string Swapped = "swapped";
}

/// <summary>
/// Fault injection for the end-to-end tests, off unless <c>Restore:AllowFaultInjection</c> is true: when
/// the file <c>{state}/restore/kill-at</c> names a checkpoint (optionally <c>name:n</c> for its n-th time), the
/// worker deletes the file and kills itself (SIGKILL), as a power cut or
/// an OOM kill would stop it.
/// </summary>
public sealed class FaultInjectionCheckpoints(string stateDirectory, bool enabled) : IRestoreCheckpoints
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    public ValueTask ReachedAsync(Guid jobId, string checkpoint, CancellationToken cancellationToken)
    {
        if (!enabled)
        {
            return ValueTask.CompletedTask;
        }

        var file = Path.Combine(stateDirectory, "restore", "kill-at");
        if (!File.Exists(file))
        {
            return ValueTask.CompletedTask;
        }

        var wanted = File.ReadAllText(file).Trim().Split(':');
        var count = _counts[checkpoint] = _counts.GetValueOrDefault(checkpoint) + 1;
        if (wanted[0] == checkpoint && (wanted.Length < 2 || int.Parse(wanted[1], System.Globalization.CultureInfo.InvariantCulture) == count))
        {
            File.Delete(file);
            Console.Error.WriteLine($"Fault injection: restore {jobId} killed at {checkpoint} #{count}.");
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        }

        return ValueTask.CompletedTask;
    }

    public bool IsSimulatedCrash(Exception exception) => false;
}
