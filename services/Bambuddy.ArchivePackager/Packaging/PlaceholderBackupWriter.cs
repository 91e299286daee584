using System.Security.Cryptography;
using System.Text;
using Bambuddy.Core.Jobs;

namespace Bambuddy.ArchivePackager.Packaging;

/// <summary>
/// PLACEHOLDER for the real backup ZIP (the local-backup issue replaces it): writes a small marker
/// file per job into the state directory, never into the user's backup folder, so the walking
/// skeleton has real output to check. Idempotent by job id: temp file, then rename.
/// </summary>
public sealed class PlaceholderBackupWriter(WorkerPaths paths)
{
    public async Task<(string FileName, long Size, string Sha256)> WriteAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(paths.StateDirectory, "placeholder-backups");
        Directory.CreateDirectory(folder);
        var fileName = $"placeholder-{jobId:N}.txt";
        var bytes = Encoding.UTF8.GetBytes($"placeholder backup for job {jobId}\n");
        var temp = Path.Combine(folder, fileName + ".partial");
        await File.WriteAllBytesAsync(temp, bytes, cancellationToken);
        File.Move(temp, Path.Combine(folder, fileName), overwrite: true);
        return (fileName, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }
}
