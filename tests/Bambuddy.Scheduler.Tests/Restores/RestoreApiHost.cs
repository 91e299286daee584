using System.Net.Http.Headers;
using Bambuddy.Contracts;
using Bambuddy.Core.Catalog;
using Bambuddy.Core.Installation;
using Bambuddy.Core.Jobs;
using Bambuddy.Core.Secrets;
using Bambuddy.Scheduler.Apis;
using Bambuddy.Scheduler.Consumers;
using Bambuddy.Scheduler.Jobs;
using Bambuddy.Scheduler.LocalBackups;
using Bambuddy.Scheduler.Restores;
using Bambuddy.Testing;
using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Bambuddy.Scheduler.Tests.Restores;

/// <summary>
/// The scheduler's restore, local-backup and jobs endpoints on real Kestrel (loopback, free port) over a
/// fresh database of the real PostgreSQL, with MassTransit's test harness as the bus (no worker: a test
/// plays the restore worker by publishing its events).
/// </summary>
public sealed class RestoreApiHost : IAsyncDisposable
{
    public const string StoredName = "bambuddy-backup-20260101-030000.zip";

    private readonly TempDirectory _temp;
    private readonly WebApplication _app;

    private RestoreApiHost(TempDirectory temp, WebApplication app, Uri address)
    {
        (_temp, _app) = (temp, app);
        Client = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
    }

    public HttpClient Client { get; }

    public string StateDirectory => _temp.Combine("state");

    public string DataDirectory => _temp.Combine("data");

    public string BackupsFolder => _temp.Combine("data", "backups");

    public UploadSpool Spool => _app.Services.GetRequiredService<UploadSpool>();

    public JobStore Jobs => _app.Services.GetRequiredService<JobStore>();

    public ITestHarness Harness => _app.Services.GetRequiredService<ITestHarness>();

    public T Service<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public static async Task<RestoreApiHost> StartAsync(PostgresServer server, CancellationToken cancellationToken, long? maxUploadBytes = null)
    {
        var temp = new TempDirectory();
        try
        {
            Directory.CreateDirectory(temp.Combine("data", "backups"));
            var connectionString = await server.CreateDatabaseAsync($"restore_{Guid.NewGuid():N}", cancellationToken);
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            if (maxUploadBytes is { } max)
            {
                builder.Configuration[$"{RestoreOptions.Section}:{nameof(RestoreOptions.MaxUploadBytes)}"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var services = builder.Services;
            services.AddSingleton(NpgsqlDataSource.Create(connectionString));
            services.AddSingleton(TimeProvider.System);
            services.AddSingleton(new ScheduleZone(TimeZoneInfo.Utc));
            services.AddSingleton(new WorkerPaths(temp.Combine("state")));
            services.AddSingleton(new BambuddyInstallation(temp.Combine("data"), DatabaseBackend.Sqlite, temp.Combine("data", "bambuddy.db")));
            services.AddBackupSecrets(temp.Combine("state"));
            services.AddHostedService<JobSchema>();
            services.AddSingleton<JobMetrics>();
            services.AddSingleton<JobStore>();
            services.AddSingleton<JobPublisher>();
            services.AddSingleton<JobWaiter>();
            services.AddSingleton<DownloadFiles>();
            services.AddSingleton<BackupCatalog>();
            services.AddHostedService<CatalogSchema>();
            services.AddSingleton<LocalBackupSettingsStore>();
            services.AddSingleton<BackupLocator>();
            builder.AddRestores();
            services.AddMassTransitTestHarness(bus =>
            {
                bus.SetTestTimeouts(testTimeout: TimeSpan.FromMinutes(5), testInactivityTimeout: TimeSpan.FromSeconds(30));
                bus.AddConsumer<SafetyBackupRequestedConsumer>();
                bus.AddConsumer<RestoreCompletedConsumer>();
                bus.AddConsumer<RestoreFailedConsumer>();
                bus.AddConsumer<RestoreProgressedConsumer>();
            });
            services.AddProblemDetails();
            // Through a delegate: a direct call would be intercepted by the OpenAPI XML-comment generator of this project.
            Func<IServiceCollection, IServiceCollection> addOpenApi = OpenApiServiceCollectionExtensions.AddOpenApi;
            addOpenApi(services);
            services.ConfigureHttpJsonOptions(options => options.SerializerOptions.PropertyNamingPolicy = JobJson.Options.PropertyNamingPolicy);

            var app = builder.Build();
            app.UseExceptionHandler();
            app.UseStatusCodePages();
            app.MapLocalBackupApi();
            app.MapJobsApi();
            app.MapRestoreApi();
            app.MapOpenApi();
            // The harness starts the host's hosted services, Kestrel and the bus among them.
            await app.Services.GetRequiredService<ITestHarness>().Start().WaitAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new RestoreApiHost(temp, app, new Uri(address));
        }
        catch
        {
            temp.Dispose();
            throw;
        }
    }

    /// <summary>A multipart body with <paramref name="content"/> in field <paramref name="field"/>.</summary>
    public static MultipartFormDataContent Upload(HttpContent content, string field = UploadSpool.FormField)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return new MultipartFormDataContent { { content, field, "backup.zip" } };
    }

    public static MultipartFormDataContent Upload(byte[] bytes, string field = UploadSpool.FormField) => Upload(new ByteArrayContent(bytes), field);

    /// <summary>A stored backup in the output folder (the default: <c>DATA_DIR/backups</c>).</summary>
    public string AddStoredBackup(string name = StoredName)
    {
        var path = Path.Combine(BackupsFolder, name);
        File.WriteAllBytes(path, [0x50, 0x4B, 0x05, 0x06, .. new byte[18]]);
        return path;
    }

    public string[] SpoolFiles() => Directory.Exists(Spool.Folder) ? Directory.GetFiles(Spool.Folder) : [];

    /// <summary>The newest restore job, once one exists: a condition polled on the job table, not a delay.</summary>
    public async Task<Job> WaitForRestoreJobAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (true)
        {
            if (await Jobs.GetLatestAsync([JobKinds.Restore], endedOnly: false, cancellationToken) is { } job)
            {
                return job;
            }

            await timer.WaitForNextTickAsync(cancellationToken);
        }
    }

    /// <summary>The <see cref="RestoreBackup"/> a restore job carries, as its outbox row holds it.</summary>
    public async Task<RestoreBackup> CommandOfAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var command = Service<NpgsqlDataSource>().CreateCommand("SELECT command_type, command::text FROM jobs WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        Assert.True(await reader.ReadAsync(cancellationToken), $"no job {jobId}");
        return (RestoreBackup)JobCommands.Deserialize(reader.GetString(0), reader.GetString(1)).Command;
    }

    public async Task<long> CountJobsAsync(CancellationToken cancellationToken)
    {
        await using var command = Service<NpgsqlDataSource>().CreateCommand("SELECT count(*) FROM jobs");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _temp.Dispose();
    }
}
