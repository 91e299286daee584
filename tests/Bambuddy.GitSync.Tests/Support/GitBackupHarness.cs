using Bambuddy.Contracts;
using Bambuddy.Core.Bambuddy;
using Bambuddy.DemoData;
using Bambuddy.GitSync.Consumers;
using Bambuddy.GitSync.Export;
using Bambuddy.GitSync.Repository;
using Bambuddy.Core.Jobs;
using Bambuddy.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bambuddy.GitSync.Tests.Support;

/// <summary>
/// A demo Bambuddy installation (SQLite), a fresh state directory, a bare repository on the real git server,
/// and the git backup runner wired to them with fixed K-profile and cloud sources. Logs are captured.
/// </summary>
public sealed class GitBackupHarness : IAsyncDisposable
{
    public static readonly GitBackupContents Everything = new(true, true, true, true, true);

    private readonly TempDirectory _data;
    private readonly TempDirectory _state;
    private readonly ILoggerFactory _loggers;

    private GitBackupHarness(GitHttpServer server, string repository, string url, TempDirectory data, TempDirectory state, DemoInstallationResult demo)
    {
        Server = server;
        Repository = repository;
        RepositoryUrl = url;
        _data = data;
        _state = state;
        Installation = demo;
        _loggers = LoggerFactory.Create(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        Sync = new GitRepositorySync(new WorkerPaths(state.Path), Options.Create(new GitSyncOptions()), TimeProvider.System, _loggers.CreateLogger<GitRepositorySync>());
        Runner = new GitBackupRunner(demo.Installation, Hosting, KProfiles, Cloud, Sync, TimeProvider.System, _loggers.CreateLogger<GitBackupRunner>());
    }

    public GitHttpServer Server { get; }

    /// <summary>The bare repository's name on <see cref="Server"/>.</summary>
    public string Repository { get; }

    public string RepositoryUrl { get; }

    public DemoInstallationResult Installation { get; }

    public string StateDirectory => _state.Path;

    public TestGitHosting Hosting { get; } = new();

    public FixedKProfileSource KProfiles { get; } = new();

    public FixedCloudProfileSource Cloud { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    public GitRepositorySync Sync { get; }

    public GitBackupRunner Runner { get; }

    public string WorkingClone => Sync.WorkingClonePath(RepositoryUrl + ".git");

    public GitRepositoryTarget Target => new("gitea", RepositoryUrl, "main", true, "ciphertext-not-used-by-the-runner");

    public static async Task<GitBackupHarness> CreateAsync(GitHttpServer server, string repository, CancellationToken cancellationToken)
    {
        var data = new TempDirectory();
        var state = new TempDirectory();
        try
        {
            var demo = await new DemoInstallationGenerator(new DemoInstallationOptions(data.Path) { MediaBytes = 256 << 10, Seed = 21 }).GenerateAsync(cancellationToken);
            var url = await server.CreateBareRepositoryAsync(repository, cancellationToken);
            // The repository URL as a user types it (no .git); the hosting resolves the clone URL.
            return new GitBackupHarness(server, repository, url[..^4], data, state, demo);
        }
        catch
        {
            data.Dispose();
            state.Dispose();
            throw;
        }
    }

    public Task<GitBackupCompleted> RunAsync(GitBackupContents contents, CancellationToken cancellationToken, string? token = null, IProgress<string>? progress = null) =>
        Runner.RunAsync(Guid.NewGuid(), Target, contents, token ?? GitServerFixture.Token, progress ?? new Progress<string>(), cancellationToken);

    /// <summary>The export the runner would build now, from the same sources.</summary>
    public async Task<SortedDictionary<string, byte[]>> ExportAsync(GitBackupContents contents, CancellationToken cancellationToken)
    {
        await using var database = await BambuddyDatabase.OpenAsync(Installation.Installation, cancellationToken);
        var printers = (await database.ReadPrintersAsync(cancellationToken)).Where(p => p.IsActive).ToList();
        var kProfiles = (await KProfiles.ReadAsync(printers, cancellationToken)).Files;
        var cloud = (await Cloud.ReadAsync("token", cancellationToken)).Files;
        return await GitExport.BuildAsync(database, contents, kProfiles, cloud, cancellationToken);
    }

    /// <summary>Runs SQL on the installation's database, without foreign-key enforcement (a printer can go with its history kept).</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Installation.Installation.SqlitePath, Pooling = false, ForeignKeys = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ReadColumnAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Installation.Installation.SqlitePath, Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!reader.IsDBNull(0))
            {
                values.Add(reader.GetString(0));
            }
        }

        return values;
    }

    /// <summary>Someone else's clone of the bare repository (through the file system): commits a file and pushes it.</summary>
    public async Task PushFromAnotherCloneAsync(string path, string content, CancellationToken cancellationToken)
    {
        using var other = new TempDirectory("bambuddy-other-clone-");
        await GitHttpServer.RunGitAsync(other.Path, cancellationToken, "clone", "--quiet", "--branch", "main", Server.RepositoryPath(Repository), "clone");
        var clone = other.Combine("clone");
        await File.WriteAllTextAsync(Path.Combine(clone, path), content, cancellationToken);
        await GitHttpServer.RunGitAsync(clone, cancellationToken, "add", path);
        await GitHttpServer.RunGitAsync(clone, cancellationToken, "-c", "user.name=Someone Else", "-c", "user.email=else@example.com", "commit", "--quiet", "-m", $"Add {path}");
        await GitHttpServer.RunGitAsync(clone, cancellationToken, "push", "--quiet", "origin", "main");
    }

    public async ValueTask DisposeAsync()
    {
        _loggers.Dispose();
        _data.Dispose();
        // Git makes object files read-only; the temp folder is still ours to remove.
        foreach (var file in Directory.EnumerateFiles(_state.Path, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        _state.Dispose();
        await Task.CompletedTask;
    }
}
