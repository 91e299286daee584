using Bambuddy.Contracts;
using Bambuddy.Core.Catalog;
using Bambuddy.Core.Installation;
using Bambuddy.Core.Secrets;
using Bambuddy.Core.Storage;

namespace Bambuddy.Scheduler.LocalBackups;

/// <summary>Finds backups wherever they are: the output folder (ours and Bambuddy's), the S3 copy, the catalog.</summary>
public sealed class BackupLocator(BambuddyInstallation installation, BackupCatalog catalog, SecretProtector secrets)
{
    public string DefaultPath => System.IO.Path.Combine(installation.DataDirectory, "backups");

    public string OutputPath(LocalBackupSettings settings) => string.IsNullOrWhiteSpace(settings.Path) ? DefaultPath : settings.Path;

    public DirectoryBackupStore Local(LocalBackupSettings settings) => new(OutputPath(settings));

    public S3BackupStore? S3(LocalBackupSettings settings) => settings.S3 is { Enabled: true, ProtectedSecretKey: { } secret } s3
        ? new S3BackupStore(new S3StoreOptions
        {
            Endpoint = s3.Endpoint, Bucket = s3.Bucket, Prefix = s3.Prefix, Region = s3.Region,
            AccessKey = s3.AccessKey, SecretKey = secrets.Unprotect(secret), UseTls = s3.UseTls,
        })
        : null;

    /// <summary>Every backup, newest first. A ZIP in the folder that the catalog does not know is Bambuddy's.</summary>
    public async Task<IReadOnlyList<BackupListItem>> ListAsync(LocalBackupSettings settings, CancellationToken cancellationToken)
    {
        var ours = (await catalog.ListAsync(cancellationToken)).ToDictionary(e => e.FileName);
        var items = new Dictionary<string, BackupListItem>();
        var local = Local(settings);
        if (Directory.Exists(local.Folder))
        {
            foreach (var file in await local.ListAsync(cancellationToken))
            {
                items[file.Name] = ours.TryGetValue(file.Name, out var entry)
                    ? new BackupListItem(file.Name, file.Size, entry.CreatedAt, entry.Sha256, entry.Kind, "bambuddy-backup", ["local"])
                    : new BackupListItem(file.Name, file.Size, file.LastModified, null, JobKinds.LocalBackup, "bambuddy", ["local"]);
            }
        }

        // Our backups elsewhere: an S3 copy, or a local copy in another output folder than today's.
        foreach (var entry in ours.Values)
        {
            var locations = entry.Locations.Where(l => l == "s3" || (l == "local" && items.ContainsKey(entry.FileName))).ToList();
            if (entry.Locations.Contains("local") && !items.ContainsKey(entry.FileName) && File.Exists(System.IO.Path.Combine(entry.OutputPath, entry.FileName)))
            {
                locations.Add("local");
            }

            if (locations.Count > 0)
            {
                items[entry.FileName] = new BackupListItem(entry.FileName, entry.Size, entry.CreatedAt, entry.Sha256, entry.Kind, "bambuddy-backup", locations.Distinct().ToList());
            }
        }

        return [.. items.Values.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Filename, StringComparer.Ordinal)];
    }

    /// <summary>Where to read a backup from: its local file if it is there, else the S3 copy; null when neither.</summary>
    public async Task<(IBackupStore Store, StoredBackup Backup)?> FindAsync(string fileName, LocalBackupSettings settings, CancellationToken cancellationToken)
    {
        var entry = await catalog.GetAsync(fileName, cancellationToken);
        foreach (var folder in new[] { OutputPath(settings), entry?.OutputPath }.OfType<string>().Distinct())
        {
            var store = new DirectoryBackupStore(folder);
            if (Directory.Exists(folder) && await store.GetAsync(fileName, cancellationToken) is { } found)
            {
                return (store, found);
            }
        }

        if (entry?.Locations.Contains("s3") == true && S3(settings) is { } s3 && await s3.GetAsync(fileName, cancellationToken) is { } remote)
        {
            return (s3, remote);
        }

        return null;
    }
}
