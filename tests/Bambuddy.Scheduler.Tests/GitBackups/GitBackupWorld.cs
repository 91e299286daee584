using Bambuddy.Core.Secrets;
using Bambuddy.Scheduler.Apis;
using Bambuddy.Scheduler.Consumers;
using Bambuddy.Scheduler.GitBackups;
using Bambuddy.Scheduler.Jobs;
using Bambuddy.Scheduler.LocalBackups;
using Bambuddy.Testing;
using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Bambuddy.Scheduler.Tests.GitBackups;

/// <summary>
/// The scheduler's git-backup side over a fresh database on the real PostgreSQL server: its tables (made by
/// <see cref="JobSchema"/>), stores, consumers, and the git-sync stand-in on MassTransit's in-memory harness.
/// </summary>
public sealed class GitBackupWorld : IAsyncDisposable
{
    public static readonly ScheduleZone Berlin = new(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

    private readonly IServiceProvider _services;
    private readonly IAsyncDisposable _owner;

    private GitBackupWorld(IServiceProvider services, IAsyncDisposable owner, string connectionString, HttpClient? http)
    {
        _services = services;
        _owner = owner;
        ConnectionString = connectionString;
        Http = http;
    }

    public string ConnectionString { get; }

    /// <summary>A client of the served API (<see cref="StartHttpAsync"/> only).</summary>
    public HttpClient? Http { get; }

    public FakeTimeProvider Clock => _services.GetRequiredService<FakeTimeProvider>();

    public GitSyncBehaviour GitSync => _services.GetRequiredService<GitSyncBehaviour>();

    public NpgsqlDataSource Database => _services.GetRequiredService<NpgsqlDataSource>();

    public GitBackupConfigStore Configs => _services.GetRequiredService<GitBackupConfigStore>();

    public GitBackupLogStore Logs => _services.GetRequiredService<GitBackupLogStore>();

    public GitBackupRuns Runs => _services.GetRequiredService<GitBackupRuns>();

    public JobStore Jobs => _services.GetRequiredService<JobStore>();

    public JobPublisher Publisher => _services.GetRequiredService<JobPublisher>();

    public JobWaiter Waiter => _services.GetRequiredService<JobWaiter>();

    public SecretProtector Secrets => _services.GetRequiredService<SecretProtector>();

    public GitConnectionTester Tester => _services.GetRequiredService<GitConnectionTester>();

    public IOptions<GitBackupOptions> Options => _services.GetRequiredService<IOptions<GitBackupOptions>>();

    public static async Task<GitBackupWorld> StartAsync(PostgresServer server, DateTimeOffset now, CancellationToken cancellationToken, TimeSpan? privacyCheckTimeout = null)
    {
        var connectionString = await server.CreateDatabaseAsync($"git_{Guid.NewGuid():N}", cancellationToken);
        var services = new ServiceCollection();
        services.AddLogging();
        Register(services, connectionString, now, privacyCheckTimeout);
        var provider = services.BuildServiceProvider();
        var world = new GitBackupWorld(provider, provider, connectionString, null);
        try
        {
            await new JobSchema(world.Database, NullLogger<JobSchema>.Instance).StartAsync(cancellationToken);
            await provider.GetRequiredService<ITestHarness>().Start();
            return world;
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }
    }

    /// <summary>The same, served over HTTP on a free loopback port as the scheduler maps <see cref="GitBackupApi"/>.</summary>
    public static async Task<GitBackupWorld> StartHttpAsync(PostgresServer server, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var connectionString = await server.CreateDatabaseAsync($"git_{Guid.NewGuid():N}", cancellationToken);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        Register(builder.Services, connectionString, now, privacyCheckTimeout: null);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.PropertyNamingPolicy = JobJson.Options.PropertyNamingPolicy);
        var app = builder.Build();
        app.UseStatusCodePages();
        app.MapGitBackupApi();
        var world = new GitBackupWorld(app.Services, app, connectionString, null);
        try
        {
            await new JobSchema(world.Database, NullLogger<JobSchema>.Instance).StartAsync(cancellationToken);
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            return new GitBackupWorld(app.Services, app, connectionString, new HttpClient { BaseAddress = new Uri(address) });
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }
    }

    private static void Register(IServiceCollection services, string connectionString, DateTimeOffset now, TimeSpan? privacyCheckTimeout)
    {
        services.AddMetrics();
        services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        services.AddSingleton(new FakeTimeProvider(now));
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<FakeTimeProvider>());
        services.AddSingleton(Berlin);
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        services.AddSingleton<SecretProtector>();
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new GitBackupOptions
        {
            PrivacyCheckTimeout = privacyCheckTimeout ?? TimeSpan.FromSeconds(30),
            TestTimeout = privacyCheckTimeout ?? TimeSpan.FromSeconds(30),
        }));
        services.AddSingleton<JobMetrics>();
        services.AddSingleton<JobStore>();
        services.AddSingleton<JobPublisher>();
        services.AddSingleton<JobWaiter>();
        services.AddSingleton<GitBackupConfigStore>();
        services.AddSingleton<GitBackupLogStore>();
        services.AddSingleton<GitBackupRuns>();
        services.AddSingleton<GitConnectionTester>();
        services.AddSingleton<GitSyncBehaviour>();
        services.AddMassTransitTestHarness(bus =>
        {
            bus.AddConsumer<GitBackupCompletedConsumer>();
            bus.AddConsumer<GitBackupProgressedConsumer>();
            bus.AddConsumer<GitConnectionTestedConsumer>();
            bus.AddConsumer<GitSyncStandIn>();
        });
    }

    /// <summary>A stored configuration: a private GitHub repository, token <c>ghp_secret</c>.</summary>
    public Task<GitBackupConfig> SaveConfigAsync(CancellationToken cancellationToken, Func<GitBackupConfig, GitBackupConfig>? change = null)
    {
        var config = GitBackupConfig.New("https://github.com/owner/repo", Secrets.Protect("ghp_secret"));
        return Configs.SaveAsync(change is null ? config : change(config), cancellationToken);
    }

    public async Task<T?> ScalarAsync<T>(string sql, CancellationToken cancellationToken)
    {
        await using var command = Database.CreateCommand(sql);
        return await command.ExecuteScalarAsync(cancellationToken) is T value ? value : default;
    }

    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = Database.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_owner is WebApplication app)
        {
            await app.StopAsync(CancellationToken.None);
        }

        await _owner.DisposeAsync();
    }
}
