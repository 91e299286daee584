using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Bambuddy.EndToEnd.Tests;

/// <summary>
/// The whole system, started once for the tests that share it: the real AppHost through
/// Aspire.Hosting.Testing, with PostgreSQL and RabbitMQ as local executables, in a fresh state
/// directory. DCP stops every process it started when the app is disposed, or when the test host dies.
/// </summary>
public sealed class SystemFixture : IAsyncLifetime
{
    public const string ApiKey = "e2e-test-key-0123456789";
    private static readonly string[] Resources = ["postgres", "rabbitmq", "s3", "scheduler", "archive-packager", "git-sync", "restore", "gateway"];

    private DistributedApplication? _app;

    public string StateDirectory { get; } = TestDirectories.Create("e2e");

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The system has not started.");

    public HttpClient Gateway { get; private set; } = null!;

    public string BackupDbConnectionString { get; private set; } = "";

    public string MessagingConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var ct = Timeouts.For(Timeouts.Start);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Bambuddy_AppHost>(
            [$"BACKUP_STATE_DIR={StateDirectory}", $"BACKUP_API_KEY={ApiKey}", "BACKUP_SERVERS=local"], ct);
        // Resource logs go to the dashboard; the test output keeps only their warnings.
        builder.Services.AddLogging(logging => logging.AddFilter("Bambuddy.AppHost.Resources", LogLevel.Warning).AddFilter("Aspire", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        var scheduler = builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "scheduler"));
        // Short intervals so the crash-safety tests see the relay and the worker-lost rule act quickly.
        scheduler.WithEnvironment("Jobs__RelayInterval", "00:00:01").WithEnvironment("Jobs__WorkerLostCheckInterval", "00:00:01");
        // The fault-injection tests kill the restore worker at a named point (a file in the state directory says which).
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "restore"))
            .WithEnvironment("Restore__AllowFaultInjection", "true");
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "archive-packager"))
            .WithEnvironment("Packaging__AllowFaultInjection", "true");

        _app = await builder.BuildAsync(ct);
        await _app.StartAsync(ct);
        foreach (var resource in Resources)
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, ct);
        }

        Gateway = _app.CreateHttpClient("gateway");
        Gateway.Timeout = Timeout.InfiniteTimeSpan;
        Gateway.DefaultRequestHeaders.Add("X-API-Key", ApiKey);
        BackupDbConnectionString = await _app.GetConnectionStringAsync("backupdb", ct) ?? throw new InvalidOperationException("no backupdb");
        MessagingConnectionString = await _app.GetConnectionStringAsync("rabbitmq", ct) ?? throw new InvalidOperationException("no rabbitmq");
    }

    public HttpClient AnonymousGateway()
    {
        var client = _app!.CreateHttpClient("gateway");
        client.Timeout = Timeouts.Call;
        return client;
    }

    public async Task<JsonElement> GetJobAsync(Guid jobId, CancellationToken cancellationToken)
        => await Gateway.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{jobId}", cancellationToken);

    /// <summary>Polls the job through the gateway until it is in one of <paramref name="states"/>.</summary>
    public async Task<JsonElement> WaitForJobStateAsync(Guid jobId, string[] states, CancellationToken cancellationToken)
    {
        while (true)
        {
            var job = await GetJobAsync(jobId, cancellationToken);
            if (states.Contains(job.GetProperty("state").GetString()))
            {
                return job;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>A backup through the gateway with <c>?wait=true</c>; fails the test unless it succeeded.</summary>
    public async Task<JsonElement> RunBackupAsync(CancellationToken cancellationToken)
    {
        using var response = await Gateway.PostAsync("/api/v1/local-backup/run?wait=true", null, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        Xunit.Assert.True(response.IsSuccessStatusCode, body.GetRawText());
        return body;
    }

    public async Task<JsonElement> PutSettingsAsync(string json, CancellationToken cancellationToken)
    {
        using var response = await Gateway.PutAsync("/api/v1/local-backup/settings", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), cancellationToken);
        var settings = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        Xunit.Assert.True(response.IsSuccessStatusCode, settings.GetRawText());
        return settings;
    }

    public Task<long> CountJobsAsync(CancellationToken cancellationToken)
        => QueryScalarAsync<long>("SELECT count(*) FROM jobs", cancellationToken);

    public async Task<T> QueryScalarAsync<T>(string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var connection = new NpgsqlConnection(BackupDbConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task ExecuteSqlAsync(string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var connection = new NpgsqlConnection(BackupDbConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(Timeouts.For(TimeSpan.FromSeconds(60)));
            await _app.DisposeAsync();
        }

        TestDirectories.Delete(StateDirectory);
    }
}
