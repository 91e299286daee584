using Bambuddy.Contracts;
using Bambuddy.Core.Catalog;
using Bambuddy.Core.Paths;
using Bambuddy.Core.Secrets;
using Bambuddy.Core.Storage;
using Bambuddy.Scheduler.Jobs;
using Bambuddy.Scheduler.LocalBackups;
using Bambuddy.Scheduler.Restores;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Bambuddy.Scheduler.Apis;

/// <summary>The seed's local-backup endpoints, in Bambuddy's shapes plus ours (DESIGN §7).</summary>
public static class LocalBackupApi
{
    private static readonly string[] BackupKinds = [JobKinds.LocalBackup];

    public static IEndpointRouteBuilder MapLocalBackupApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/local-backup").WithTags("Local backup");
        api.MapGet("/status", GetStatus).WithName(nameof(GetStatus));
        api.MapPost("/run", RunBackup).WithName(nameof(RunBackup));
        api.MapGet("/settings", GetSettings).WithName(nameof(GetSettings));
        api.MapPut("/settings", UpdateSettings).WithName(nameof(UpdateSettings));
        api.MapGet("/path-check", CheckPath).WithName(nameof(CheckPath));
        api.MapGet("/backups", ListBackups).WithName(nameof(ListBackups));
        api.MapGet("/backups/{filename}/download", DownloadBackup).WithName(nameof(DownloadBackup));
        api.MapDelete("/backups/{filename}", DeleteBackup).WithName(nameof(DeleteBackup));
        api.MapPost("/backups/{filename}/restore", RestoreBackup).WithName(nameof(RestoreBackup));
        return app;
    }

    public static async Task<Ok<LocalBackupStatus>> GetStatus(LocalBackupSettingsStore settingsStore, JobStore jobs, BackupLocator locator, ScheduleZone zone, CancellationToken cancellationToken)
    {
        var settings = await settingsStore.GetAsync(cancellationToken);
        var running = await jobs.GetLatestAsync(BackupKinds, endedOnly: false, cancellationToken);
        var last = await jobs.GetLatestAsync(BackupKinds, endedOnly: true, cancellationToken);
        var restart = await RestartStatus.ReadAsync(jobs, cancellationToken);
        return TypedResults.Ok(new LocalBackupStatus(
            running is not null, running?.JobId, last?.FinishedAt,
            last is null ? null : last.State == "succeeded" ? "success" : "failed",
            last is null ? null : last.Error?.Reason ?? last.Result?["message"]?.GetValue<string>(),
            settings.NextRun, settings.Enabled, settings.Schedule, settings.Time, settings.Retention, settings.Path,
            locator.DefaultPath, zone.Value.Id, restart.RestartRequired, restart.LastRestoreAt, restart.LastRestoreJobId));
    }

    /// <summary>Queues a full backup with the current settings; <c>?wait=true</c> answers when it has ended.</summary>
    public static async Task<IResult> RunBackup(bool? wait, LocalBackupSettingsStore settingsStore, JobStore store, JobPublisher publisher, JobWaiter waiter, CancellationToken cancellationToken)
    {
        var settings = await settingsStore.GetAsync(cancellationToken);
        var creation = await store.CreateAsync(JobKinds.LocalBackup, Triggers.Manual,
            jobId => LocalBackupCommands.Create(jobId, JobKinds.LocalBackup, Triggers.Manual, settings), parentId: null, cancellationToken);
        if (creation.Job is not { } job)
        {
            return JobResponses.Conflict(creation.ConflictingJobId!.Value);
        }

        await publisher.PublishAsync(job.JobId, cancellationToken);
        return wait == true
            ? JobResponses.Outcome(await waiter.WaitForEndAsync(job.JobId, cancellationToken), "Backup created")
            : JobResponses.Accepted(job);
    }

    public static async Task<Ok<LocalBackupSettingsView>> GetSettings(LocalBackupSettingsStore settingsStore, BackupLocator locator, ScheduleZone zone, CancellationToken cancellationToken)
        => TypedResults.Ok(View(await settingsStore.GetAsync(cancellationToken), locator, zone));

    public static async Task<Results<Ok<LocalBackupSettingsView>, ProblemHttpResult>> UpdateSettings(
        LocalBackupSettingsUpdate update, LocalBackupSettingsStore settingsStore, BackupLocator locator, ScheduleZone zone, SecretProtector secrets, CancellationToken cancellationToken)
    {
        var current = await settingsStore.GetAsync(cancellationToken);
        var next = current with
        {
            Enabled = update.Enabled ?? current.Enabled,
            Schedule = update.Schedule ?? current.Schedule,
            Time = update.Time ?? current.Time,
            Retention = update.Retention ?? current.Retention,
            Path = update.Path?.Trim() ?? current.Path,
        };

        if (!BackupSchedule.Kinds.Contains(next.Schedule))
        {
            return Invalid("schedule", $"schedule must be one of {string.Join(", ", BackupSchedule.Kinds)}, got '{next.Schedule}'.");
        }

        if (!BackupSchedule.TryParseTime(next.Time, out _, out _))
        {
            return Invalid("time", $"time must be HH:MM between 00:00 and 23:59, got '{next.Time}'.");
        }

        if (next.Retention is < 1 or > 100)
        {
            return Invalid("retention", $"retention must be between 1 and 100, got {next.Retention}.");
        }

        if (update.Path is not null && locator.OutputPath(next) is var path && PathCheck.Check(path, create: true) is { Writable: false } check)
        {
            return Invalid("path", check.Message, new() { ["code"] = check.Code, ["remedy"] = check.Remedy, ["path"] = path });
        }

        if (update.S3 is { } s3)
        {
            var merged = Merge(current.S3, s3, secrets);
            if (merged.Enabled && (string.IsNullOrWhiteSpace(merged.Endpoint) || string.IsNullOrWhiteSpace(merged.Bucket)
                || string.IsNullOrWhiteSpace(merged.AccessKey) || merged.ProtectedSecretKey is null))
            {
                return Invalid("s3", "An enabled S3 copy needs endpoint, bucket, access_key and secret_key.");
            }

            if (merged.Bucket.Length is > 0 and (< 3 or > 63))
            {
                return Invalid("s3.bucket", "A bucket name has 3 to 63 characters.");
            }

            next = next with { S3 = merged };
        }

        return TypedResults.Ok(View(await settingsStore.SaveAsync(next, cancellationToken), locator, zone));
    }

    public static async Task<Ok<PathCheckResult>> CheckPath(string? path, LocalBackupSettingsStore settingsStore, BackupLocator locator, CancellationToken cancellationToken)
    {
        var target = string.IsNullOrWhiteSpace(path) ? locator.OutputPath(await settingsStore.GetAsync(cancellationToken)) : path;
        return TypedResults.Ok(PathCheck.Check(target, create: false));
    }

    public static async Task<Ok<IReadOnlyList<BackupListItem>>> ListBackups(LocalBackupSettingsStore settingsStore, BackupLocator locator, CancellationToken cancellationToken)
        => TypedResults.Ok(await locator.ListAsync(await settingsStore.GetAsync(cancellationToken), cancellationToken));

    /// <summary>Streams a backup, local or from S3, with <c>Content-Length</c> and <c>Range</c>.</summary>
    public static async Task<IResult> DownloadBackup(string filename, HttpContext context, LocalBackupSettingsStore settingsStore, BackupLocator locator, CancellationToken cancellationToken)
    {
        if (!BackupName.IsValid(filename))
        {
            return BadName(filename);
        }

        var settings = await settingsStore.GetAsync(cancellationToken);
        if (await locator.FindAsync(filename, settings, cancellationToken) is not var (store, backup))
        {
            return NotFound(filename);
        }

        if (store is DirectoryBackupStore local)
        {
            return TypedResults.PhysicalFile(Path.Combine(local.Folder, filename), "application/zip", filename, enableRangeProcessing: true);
        }

        context.Response.RegisterForDispose((IDisposable)store);
        var range = context.Request.GetTypedHeaders().Range;
        if (range is { Ranges.Count: 1 } && range.Ranges.First() is var r && (r.From ?? 0) < backup.Size)
        {
            var from = r.From ?? backup.Size - r.To!.Value;
            var to = r.From is null ? backup.Size - 1 : Math.Min(r.To ?? backup.Size - 1, backup.Size - 1);
            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.Headers.ContentRange = new ContentRangeHeaderValue(from, to, backup.Size).ToString();
            context.Response.ContentLength = to - from + 1;
            context.Response.ContentType = "application/zip";
            await using var part = await store.OpenReadRangeAsync(filename, from, to - from + 1, cancellationToken);
            await part.CopyToAsync(context.Response.Body, 1 << 20, cancellationToken);
            return Results.Empty;
        }

        context.Response.ContentLength = backup.Size;
        return TypedResults.Stream(await store.OpenReadAsync(filename, cancellationToken), "application/zip", filename);
    }

    public static async Task<IResult> DeleteBackup(string filename, LocalBackupSettingsStore settingsStore, BackupLocator locator, BackupCatalog catalog, CancellationToken cancellationToken)
    {
        if (!BackupName.IsValid(filename))
        {
            return BadName(filename);
        }

        var settings = await settingsStore.GetAsync(cancellationToken);
        var entry = await catalog.GetAsync(filename, cancellationToken);
        var deleted = false;
        foreach (var folder in new[] { locator.OutputPath(settings), entry?.OutputPath }.OfType<string>().Distinct())
        {
            deleted |= Directory.Exists(folder) && await new DirectoryBackupStore(folder).DeleteAsync(filename, cancellationToken);
        }

        if (entry?.Locations.Contains("s3") == true && locator.S3(settings) is { } s3)
        {
            using (s3)
            {
                deleted |= await s3.DeleteAsync(filename, cancellationToken);
            }
        }

        if (entry is not null)
        {
            await catalog.DeleteAsync(filename, cancellationToken);
            deleted = true;
        }

        return deleted ? TypedResults.Ok(new { success = true, message = "Backup deleted" }) : NotFound(filename);
    }

    /// <summary>Restores a stored backup (local, or its S3 copy); 202 with the job, or its outcome with <c>?wait=true</c>.</summary>
    public static async Task<IResult> RestoreBackup(string filename, [AsParameters] RestoreQuery query, RestoreRequests restores, LocalBackupSettingsStore settingsStore,
        BackupLocator locator, BackupCatalog catalog, JobWaiter waiter, CancellationToken cancellationToken)
    {
        if (!BackupName.IsValid(filename))
        {
            return BadName(filename);
        }

        var settings = await settingsStore.GetAsync(cancellationToken);
        try
        {
            if (await locator.FindAsync(filename, settings, cancellationToken) is not var (store, _))
            {
                return NotFound(filename);
            }

            (store as IDisposable)?.Dispose();
        }
        catch (BackupStoreException ex)
        {
            return JobResponses.Problem(StatusCodes.Status503ServiceUnavailable, "The S3 copy cannot be reached",
                $"{filename} is not in the output folder and its S3 copy cannot be checked now ({ex.Reason}); nothing was changed.", new() { ["step"] = "queue" });
        }

        var entry = await catalog.GetAsync(filename, cancellationToken);
        var creation = await restores.QueueAsync(Guid.CreateVersion7(), RestoreRequests.SourceStored, filename, query.Flags, settings,
            RestoreRequests.StoredCopy(entry?.Locations, settings), cancellationToken);
        return creation.Job is { } job
            ? await RestoreApi.AnswerAsync(job, query.Wait == true, waiter, cancellationToken)
            : JobResponses.Conflict(creation.ConflictingJobId!.Value);
    }

    private static LocalBackupSettingsView View(LocalBackupSettings s, BackupLocator locator, ScheduleZone zone) => new(
        s.Enabled, s.Schedule, s.Time, s.Retention, s.Path, locator.DefaultPath, zone.Value.Id, s.NextRun, s.ImportedAt,
        s.S3 is { } s3 ? new S3SettingsView(s3.Enabled, s3.Endpoint, s3.Bucket, s3.Prefix, s3.Region, s3.AccessKey, s3.UseTls, s3.ProtectedSecretKey is not null) : null);

    private static S3Settings Merge(S3Settings? current, S3SettingsUpdate update, SecretProtector secrets) => new(
        update.Enabled ?? current?.Enabled ?? false,
        update.Endpoint?.Trim() ?? current?.Endpoint ?? "",
        update.Bucket?.Trim() ?? current?.Bucket ?? "",
        update.Prefix?.Trim() ?? current?.Prefix ?? "",
        update.Region?.Trim() ?? current?.Region ?? "us-east-1",
        update.AccessKey?.Trim() ?? current?.AccessKey ?? "",
        update.UseTls ?? current?.UseTls ?? true,
        string.IsNullOrEmpty(update.SecretKey) ? current?.ProtectedSecretKey : secrets.Protect(update.SecretKey));

    private static ProblemHttpResult Invalid(string field, string reason, Dictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?>(extra ?? []) { ["field"] = field, ["step"] = "validate" };
        return JobResponses.Problem(StatusCodes.Status400BadRequest, $"Invalid {field}", reason, extensions);
    }

    private static ProblemHttpResult BadName(string filename)
        => JobResponses.Problem(StatusCodes.Status400BadRequest, "Not a backup name",
            $"'{filename}' is not a backup file name: names look like bambuddy-backup-YYYYMMDD-HHMMSS.zip, without '/', '\\' or '..'.");

    private static ProblemHttpResult NotFound(string filename)
        => JobResponses.Problem(StatusCodes.Status404NotFound, "Backup not found", $"There is no backup named {filename}.");
}
