using System.Security.Cryptography;
using Bambuddy.Core.Restore;
using Bambuddy.Core.Restore.Zip;
using Bambuddy.Testing;

namespace Bambuddy.Restore.Tests.Zip;

/// <summary>
/// A folder with a ZIP, an empty staging folder and a sibling folder with a file in it, so a test can show that a
/// refused restore wrote nothing anywhere: not in the staging folder, and not beside it.
/// </summary>
internal sealed class ZipTestBed : IDisposable
{
    private readonly TempDirectory _dir = new("bambuddy-zip-test-");

    public ZipTestBed()
    {
        Directory.CreateDirectory(Staging);
        Directory.CreateDirectory(Path.Combine(Work, "sibling"));
        File.WriteAllText(Path.Combine(Work, "sibling", "x"), "untouched");
    }

    /// <summary>The folder that holds everything; a "../x" entry would land here.</summary>
    public string Work => _dir.Combine("work", "inner");

    public string ZipPath => Path.Combine(Work, "backup.zip");

    public string Staging => Path.Combine(Work, "staging");

    public static CancellationToken Timeout(int minutes = 2) => new CancellationTokenSource(TimeSpan.FromMinutes(minutes)).Token;

    public void Write(params RawZipEntry[] entries) => RawZipWriter.Write(ZipPath, entries);

    /// <summary>
    /// Opens the ZIP and extracts every entry; asserts the refusal came at <paramref name="at"/> with every fragment
    /// in its reason, and that nothing was written inside or outside the staging folder.
    /// </summary>
    public async Task<BackupRefusedException> AssertRefusedAsync(RefusedAt at, RestoreLimits? limits, params string[] fragments)
    {
        var before = Snapshot();
        var reached = RefusedAt.Open;
        var exception = await Record.ExceptionAsync(async () =>
        {
            using var zip = BackupZip.Open(ZipPath, limits ?? new RestoreLimits());
            reached = RefusedAt.Extract;
            await zip.ExtractAllAsync(Staging, _ => true, null, Timeout());
        });

        var refused = Assert.IsType<BackupRefusedException>(exception);
        Assert.Equal("validate", refused.Step);
        Assert.True(at == reached, $"refused at {reached}, expected at {at}: {refused.Message}");
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, refused.Message, StringComparison.Ordinal);
        }

        AssertStagingEmpty();
        Assert.Equal(before, Snapshot());
        return refused;
    }

    public void AssertStagingEmpty() =>
        Assert.True(!Directory.Exists(Staging) || !Directory.EnumerateFileSystemEntries(Staging).Any(), "the staging folder is not empty");

    /// <summary>Every file and folder under the test's temp folder but the staging folder, with each file's SHA-256.</summary>
    public SortedDictionary<string, string> Snapshot()
    {
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFileSystemEntries(_dir.Path, "*", SearchOption.AllDirectories))
        {
            if (path == Staging || path.StartsWith(Staging + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            snapshot[path] = Directory.Exists(path) ? "folder" : Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        }

        return snapshot;
    }

    public void Dispose() => _dir.Dispose();
}
