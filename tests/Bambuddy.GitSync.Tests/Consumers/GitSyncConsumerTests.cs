using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using Bambuddy.Core.Secrets;
using Bambuddy.GitSync.Consumers;
using Bambuddy.GitSync.Model;
using Bambuddy.GitSync.Repository;
using Bambuddy.GitSync.Tests.Support;
using Bambuddy.Testing;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Bambuddy.GitSync.Tests.Consumers;

/// <summary>
/// The consumers through MassTransit's test harness, with the job ledger on a real PostgreSQL (a minimal
/// <c>jobs</c> table as the scheduler keeps it) and the backup going to the real git server.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GitSyncConsumerTests(PostgresServer postgres, GitServerFixture git)
{
    [Fact]
    public async Task RunGitBackupPushesAndPublishesProgressAndSuccess()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        await using var context = await ConsumerContext.CreateAsync(postgres, git, "consumer-run", ct);
        var jobId = await context.AddJobAsync("running", ct);

        await context.Harness.Bus.Publish(new RunGitBackup(jobId, Triggers.Manual, context.Target(context.Protect(GitServerFixture.Token)),
            GitBackupHarness.Everything, DateTimeOffset.UtcNow), ct);

        Assert.True(await context.Harness.Published.Any<GitBackupCompleted>(m => m.Context.Message.JobId == jobId, ct));
        var completed = context.Harness.Published.Select<GitBackupCompleted>(ct).First().Context.Message;
        Assert.Equal("success", completed.Status);
        Assert.NotNull(completed.CommitSha);
        Assert.True(await context.Harness.Published.Any<GitBackupProgressed>(m => m.Context.Message.JobId == jobId, ct));
        Assert.Null(context.Harness.Consumed.Select<RunGitBackup>(ct).First().Exception);
        Assert.Equal(completed.CommitSha, Assert.Single(await git.Server.LogAsync(context.Backup.Repository, "main", ct)).Sha);
    }

    [Fact]
    public async Task ARedeliveredCommandForAnEndedJobChangesNothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        await using var context = await ConsumerContext.CreateAsync(postgres, git, "consumer-ended", ct);
        var jobId = await context.AddJobAsync("succeeded", ct);

        await context.Harness.Bus.Publish(new RunGitBackup(jobId, Triggers.Manual, context.Target(context.Protect(GitServerFixture.Token)),
            GitBackupHarness.Everything, DateTimeOffset.UtcNow), ct);

        Assert.True(await context.Harness.Consumed.Any<RunGitBackup>(m => m.Context.Message.JobId == jobId, ct));
        // Waits for the bus to go quiet (the inactivity timeout) before saying nothing was published.
        Assert.False(await context.Harness.Published.Any<GitBackupCompleted>(ct));
        Assert.Null(context.Harness.Consumed.Select<RunGitBackup>(ct).First().Exception);
        Assert.Empty(await git.Server.LogAsync(context.Backup.Repository, "main", ct));
    }

    [Fact]
    public async Task ATokenThatCannotBeDecryptedFailsAtConfigWithoutPushing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        await using var context = await ConsumerContext.CreateAsync(postgres, git, "consumer-bad-cipher", ct);
        var jobId = await context.AddJobAsync("running", ct);

        await context.Harness.Bus.Publish(new RunGitBackup(jobId, Triggers.Scheduled, context.Target("not-a-ciphertext"),
            GitBackupHarness.Everything, DateTimeOffset.UtcNow), ct);

        Assert.True(await context.Harness.Published.Any<GitBackupCompleted>(m => m.Context.Message.JobId == jobId, ct));
        var completed = context.Harness.Published.Select<GitBackupCompleted>(ct).First().Context.Message;
        Assert.Equal(("failed", "config"), (completed.Status, completed.Step));
        Assert.Empty(await git.Server.LogAsync(context.Backup.Repository, "main", ct));
    }

    [Fact]
    public async Task TestGitConnectionPublishesTheProvidersReport()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        await using var context = await ConsumerContext.CreateAsync(postgres, git, "consumer-test", ct);
        var jobId = await context.AddJobAsync("running", ct);
        context.Backup.Hosting.IsPrivate = false;

        await context.Harness.Bus.Publish(new TestGitConnection(jobId, context.Target(context.Protect(GitServerFixture.Token))), ct);

        Assert.True(await context.Harness.Published.Any<GitConnectionTested>(m => m.Context.Message.JobId == jobId, ct));
        var tested = context.Harness.Published.Select<GitConnectionTested>(ct).First().Context.Message;
        Assert.False(tested.IsPrivate);
        Assert.Equal(GitServerFixture.Token, context.Backup.Hosting.LastToken);
    }

    private sealed class ConsumerContext : IAsyncDisposable
    {
        private readonly ServiceProvider _provider;
        private readonly NpgsqlDataSource _dataSource;

        private ConsumerContext(ServiceProvider provider, NpgsqlDataSource dataSource, GitBackupHarness backup)
        {
            _provider = provider;
            _dataSource = dataSource;
            Backup = backup;
            Harness = provider.GetRequiredService<ITestHarness>();
        }

        public GitBackupHarness Backup { get; }

        public ITestHarness Harness { get; }

        public static async Task<ConsumerContext> CreateAsync(PostgresServer postgres, GitServerFixture git, string name, CancellationToken ct)
        {
            var backup = await GitBackupHarness.CreateAsync(git.Server, name, ct);
            var database = await postgres.CreateDatabaseAsync(name.Replace('-', '_'), ct);
            var dataSource = NpgsqlDataSource.Create(database);
            await using (var command = dataSource.CreateCommand("CREATE TABLE jobs (id uuid PRIMARY KEY, state text NOT NULL, cancel_requested_at timestamptz)"))
            {
                await command.ExecuteNonQueryAsync(ct);
            }

            var services = new ServiceCollection();
            services.AddLogging(logging => logging.AddProvider(backup.Logs));
            services.AddSingleton(dataSource);
            services.AddSingleton<JobLedger>();
            services.AddBackupSecrets(backup.StateDirectory);
            services.AddSingleton(TimeProvider.System);
            services.AddSingleton(backup.Installation.Installation);
            services.AddSingleton<IGitHosting>(backup.Hosting);
            services.AddSingleton<IKProfileSource>(backup.KProfiles);
            services.AddSingleton<ICloudProfileSource>(backup.Cloud);
            services.AddSingleton(backup.Sync);
            services.AddSingleton<GitBackupRunner>();
            services.AddMassTransitTestHarness(bus =>
            {
                bus.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(90), testInactivityTimeout: TimeSpan.FromSeconds(10));
                bus.AddConsumer<RunGitBackupConsumer>();
                bus.AddConsumer<TestGitConnectionConsumer>();
            });
            var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
            var context = new ConsumerContext(provider, dataSource, backup);
            await context.Harness.Start();
            return context;
        }

        public string Protect(string token) => _provider.GetRequiredService<SecretProtector>().Protect(token);

        public GitRepositoryTarget Target(string protectedToken) => Backup.Target with { ProtectedAccessToken = protectedToken };

        public async Task<Guid> AddJobAsync(string state, CancellationToken ct)
        {
            var id = Guid.NewGuid();
            await using var command = _dataSource.CreateCommand("INSERT INTO jobs (id, state) VALUES ($1, $2)");
            command.Parameters.Add(new NpgsqlParameter { Value = id });
            command.Parameters.Add(new NpgsqlParameter { Value = state });
            await command.ExecuteNonQueryAsync(ct);
            return id;
        }

        public async ValueTask DisposeAsync()
        {
            await Harness.Stop();
            await _provider.DisposeAsync();
            await _dataSource.DisposeAsync();
            await Backup.DisposeAsync();
        }
    }
}
