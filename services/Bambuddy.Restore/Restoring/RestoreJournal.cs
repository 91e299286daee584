using System.Text.Json;
using System.Text.Json.Serialization;
using Bambuddy.Core.Installation;
using Bambuddy.Core.Restore;

namespace Bambuddy.Restore.Restoring;

/// <summary>
/// The intent journal of the restore in progress (DESIGN §5.5), kept in the state directory and
/// replayed when the worker starts: before <see cref="RestorePhase.Committing"/> a crash rolls the
/// restore back (staging removed, the prepared database discarded); from it on, the restore is rolled
/// forward, every step being idempotent. Each change is written to a temp file, fsynced and renamed.
/// </summary>
public sealed class RestoreJournal
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public required Guid JobId { get; init; }

    public required string DataDirectory { get; init; }

    public required DatabaseBackend Backend { get; init; }

    /// <summary>The staging folder in <see cref="DataDirectory"/>: <c>new/</c> (extracted), <c>old/</c> (swapped out), <c>database/</c>.</summary>
    public required string WorkspaceRoot { get; init; }

    public required string DatabaseWorkDirectory { get; init; }

    public RestorePhase Phase { get; set; } = RestorePhase.Preparing;

    public bool DatabaseCommitted { get; set; }

    public MfaKeyStep MfaKey { get; set; } = MfaKeyStep.Pending;

    public required List<FolderSwap> Folders { get; init; }

    public List<string> Warnings { get; init; } = [];

    /// <summary>The journal's file for a state directory.</summary>
    public static string PathFor(string stateDirectory) => Path.Combine(stateDirectory, "restore", "journal.json");

    public static RestoreJournal? Load(string stateDirectory)
    {
        var path = PathFor(stateDirectory);
        if (!File.Exists(path))
        {
            return null;
        }

        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<RestoreJournal>(stream, Json) ?? throw new InvalidDataException($"The restore journal '{path}' is empty.");
    }

    /// <summary>Writes the journal durably: temp file, fsync, rename, folder fsync.</summary>
    public void Save(string stateDirectory)
    {
        var path = PathFor(stateDirectory);
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, this, Json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        FileSystemSync.FlushFolder(folder);
    }

    public static void Delete(string stateDirectory)
    {
        var path = PathFor(stateDirectory);
        if (File.Exists(path))
        {
            File.Delete(path);
            FileSystemSync.FlushFolder(Path.GetDirectoryName(path)!);
        }
    }
}

public enum RestorePhase
{
    /// <summary>Validating, extracting to staging, taking the safety backup, loading the database aside: nothing of the installation changed yet.</summary>
    Preparing,

    /// <summary>Swapping the database, the MFA key and the folders in: a crash rolls forward.</summary>
    Committing,
}

public enum MfaKeyStep
{
    Pending,
    OldMovedAside,
    Swapped,
}

public enum FolderSwapStep
{
    Pending,
    OldMovedAside,
    Swapped,
}

/// <summary>
/// One data folder's swap. <see cref="ContentsOnly"/> when the folder is a mount point: its contents
/// move instead of the folder itself, through a staging folder inside it (same file system).
/// </summary>
public sealed class FolderSwap
{
    public required string Name { get; init; }

    public required string Target { get; init; }

    public required string StagedNew { get; init; }

    public required string StagedOld { get; init; }

    /// <summary>The folder to delete when done (the per-mount staging folder), or null.</summary>
    public string? StagingRoot { get; init; }

    public bool ContentsOnly { get; init; }

    public FolderSwapStep Step { get; set; } = FolderSwapStep.Pending;
}
