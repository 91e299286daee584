using Bambuddy.Contracts;
using Bambuddy.Core.Archive;
using Bambuddy.Core.Catalog;
using Bambuddy.Core.Installation;
using Bambuddy.Core.Jobs;
using Bambuddy.Core.Secrets;
using Bambuddy.DemoData;
using Bambuddy.Restore.Restoring;
using Bambuddy.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Bambuddy.Restore.Tests.Restoring;

/// <summary>
/// The restore worker's runner over real installations (SQLite files or PostgreSQL databases on a real
/// server) in a temp folder: a state directory with its spool, a real safety backup, and checkpoints that
/// stand for a crash (the runner then leaves everything as a killed process would) or a failure.
/// </summary>
public sealed class RestoreHarness : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly PostgresServer _postgres;

    public RestoreHarness(PostgresServer postgres) => _postgres = postgres;

    public string StateDirectory => _dir.Combine("state");

    public TestCheckpoints Checkpoints { get; } = new();

    public RestoreOptions Options { get; } = new();

    public Func<string, bool> IsMountPoint { get; set; } = _ => false;

    public string Combine(string name) => _dir.Combine(name);

    /// <summary>A demo installation; PostgreSQL when <paramref name="postgres"/>, else SQLite in its data folder.</summary>
    public async Task<BambuddyInstallation> CreateInstallationAsync(string name, bool postgres, long seed, CancellationToken cancellationToken)
    {
        var url = postgres ? await _postgres.CreateDatabaseAsync($"{name}_{Guid.NewGuid():N}"[..24], cancellationToken) : null;
        var demo = await new DemoInstallationGenerator(new DemoInstallationOptions(_dir.Combine(name))
        {
            DatabaseUrl = url,
            MediaBytes = 2L << 20,
            Rows = 300,
            Seed = seed,
        }).GenerateAsync(cancellationToken);
        return demo.Installation;
    }

    /// <summary>Our backup of <paramref name="installation"/>, placed in the spool folder as an upload would be.</summary>
    public async Task<string> BackupAsync(BambuddyInstallation installation, CancellationToken cancellationToken)
    {
        var result = await new LocalBackupWriter().WriteAsync(installation, _dir.Combine($"backups-{Guid.NewGuid():N}"), _dir.Combine("tmp"), TimeZoneInfo.Utc, null, cancellationToken);
        return Spool(result.FullPath);
    }

    public string Spool(string zip)
    {
        var spool = Path.Combine(StateDirectory, "spool");
        Directory.CreateDirectory(spool);
        var path = Path.Combine(spool, $"upload-{Guid.NewGuid():N}.zip");
        File.Copy(zip, path);
        return path;
    }

    public RestoreJobRunner Runner(BambuddyInstallation installation)
    {
        var paths = new WorkerPaths(StateDirectory);
        var secrets = new SecretProtector(DataProtectionProvider.Create("restore-tests"));
        var catalog = new BackupCatalog(NpgsqlDataSource.Create(_postgres.ConnectionString()));
        return new RestoreJobRunner(installation, paths, new RestoreSourceResolver(installation, paths, catalog, secrets),
            new LocalSafetyBackups(installation, _dir.Combine("safety")), Options, Checkpoints, NullLogger<RestoreJobRunner>.Instance)
        {
            IsMountPoint = IsMountPoint,
        };
    }

    public static RestoreBackup Command(string upload, bool force = true, bool allowOrphans = false, bool allowSchemaLoss = false) =>
        new(Guid.CreateVersion7(), Triggers.Manual, "upload", upload, force, allowOrphans, allowSchemaLoss, DateTimeOffset.UtcNow, Guid.CreateVersion7());

    public void Dispose() => _dir.Dispose();

    /// <summary>A real safety backup, written in-process as the archive-packager would.</summary>
    private sealed class LocalSafetyBackups(BambuddyInstallation installation, string folder) : ISafetyBackups
    {
        public async Task<string> TakeAsync(RestoreBackup command, CancellationToken cancellationToken)
        {
            var result = await new LocalBackupWriter().WriteAsync(installation, folder, folder + "-tmp", TimeZoneInfo.Utc, null, cancellationToken);
            return result.FileName;
        }
    }
}

/// <summary>Stands for the restore worker being killed (<see cref="SimulatedCrash"/>) or hitting an I/O error at a checkpoint.</summary>
public sealed class TestCheckpoints : IRestoreCheckpoints
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    public (string Checkpoint, int Occurrence)? CrashAt { get; set; }

    public (string Checkpoint, int Occurrence)? FailAt { get; set; }

    public ValueTask ReachedAsync(Guid jobId, string checkpoint, CancellationToken cancellationToken)
    {
        var count = _counts[checkpoint] = _counts.GetValueOrDefault(checkpoint) + 1;
        if (CrashAt is { } crash && crash.Checkpoint == checkpoint && crash.Occurrence == count)
        {
            CrashAt = null;
            throw new SimulatedCrash();
        }

        if (FailAt is { } fail && fail.Checkpoint == checkpoint && fail.Occurrence == count)
        {
            FailAt = null;
            throw new IOException("Simulated I/O error (No space left on device).");
        }

        return ValueTask.CompletedTask;
    }

    public bool IsSimulatedCrash(Exception exception) => exception is SimulatedCrash;

    public void Reset() => _counts.Clear();
}

public sealed class SimulatedCrash : Exception
{
    public SimulatedCrash()
        : base("simulated crash")
    {
    }
}

/// <summary>Progress nobody watches.</summary>
internal sealed class NullProgress : IProgress<RestoreProgress>
{
    public void Report(RestoreProgress value)
    {
    }
}
