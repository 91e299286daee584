using Bambuddy.Contracts;

namespace Bambuddy.Scheduler.LocalBackups;

public static class LocalBackupCommands
{
    /// <summary>The command for a backup with the current settings: output path, retention, off-site copy.</summary>
    public static CreateLocalBackup Create(Guid jobId, string kind, string trigger, LocalBackupSettings settings) => new(
        jobId, kind, trigger, settings.Path, settings.Retention, DateTimeOffset.UtcNow,
        settings.S3 is { Enabled: true, ProtectedSecretKey: { } secret } s3
            ? new S3Location(s3.Endpoint, s3.Bucket, s3.Prefix, s3.Region, s3.AccessKey, secret, s3.UseTls)
            : null);
}
