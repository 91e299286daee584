using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using Bambuddy.Core.Archive;

namespace Bambuddy.Archive.Tests;

/// <summary>Reads a ZIP back the ways its users will: System.IO.Compression, Info-ZIP's unzip and Python's zipfile.</summary>
internal static class ZipInspection
{
    public static async Task<List<(string Name, long Length, string Sha256)>> ReadEntriesAsync(string zipPath, CancellationToken cancellationToken)
    {
        var entries = new List<(string, long, string)>();
        await using var zip = await ZipFile.OpenReadAsync(zipPath, cancellationToken);
        foreach (var entry in zip.Entries)
        {
            await using var stream = await entry.OpenAsync(cancellationToken);
            var hash = await SHA256.HashDataAsync(stream, cancellationToken);
            entries.Add((entry.FullName, entry.Length, Convert.ToHexStringLower(hash)));
        }

        return entries;
    }

    public static async Task<BackupManifest> ReadManifestAsync(string zipPath, CancellationToken cancellationToken)
    {
        await using var zip = await ZipFile.OpenReadAsync(zipPath, cancellationToken);
        var entry = zip.GetEntry(BackupManifest.FileName) ?? throw new InvalidOperationException("No manifest.");
        await using var stream = await entry.OpenAsync(cancellationToken);
        return BackupManifest.Parse(stream);
    }

    public static async Task ExtractEntryAsync(string zipPath, string name, string targetPath, CancellationToken cancellationToken)
    {
        await using var zip = await ZipFile.OpenReadAsync(zipPath, cancellationToken);
        var entry = zip.GetEntry(name) ?? throw new InvalidOperationException($"No entry {name}.");
        await entry.ExtractToFileAsync(targetPath, overwrite: false, cancellationToken);
    }

    /// <summary><c>unzip -t</c>: every entry's CRC checked by an independent implementation.</summary>
    public static async Task<(int ExitCode, string Output)> UnzipTestAsync(string zipPath, CancellationToken cancellationToken) =>
        await RunAsync("unzip", ["-tq", zipPath], cancellationToken);

    /// <summary>
    /// Python's <c>zipfile</c> (what Bambuddy restores with) opens the ZIP, finds <paramref name="entries"/>
    /// entries and checks every CRC; skipped where <c>python3</c> is not installed.
    /// </summary>
    public static async Task AssertPythonReadsAsync(string zipPath, int entries, CancellationToken cancellationToken)
    {
        if (!IsOnPath("python3"))
        {
            return;
        }

        const string script = "import sys, zipfile\n"
            + "z = zipfile.ZipFile(sys.argv[1])\n"
            + "bad = z.testzip()\n"
            + "print(len(z.infolist()), bad)\n"
            + "sys.exit(1 if bad else 0)\n";
        var (exit, output) = await RunAsync("python3", ["-c", script, zipPath], cancellationToken);
        Assert.True(exit == 0, output[..Math.Min(2000, output.Length)]);
        Assert.Equal($"{entries} None", output.Trim());
    }

    /// <summary>The compression method of each entry as <c>unzip -v</c> names it (<c>Stored</c>, <c>Defl:F</c>).</summary>
    public static async Task<Dictionary<string, string>> MethodsAsync(string zipPath, CancellationToken cancellationToken)
    {
        var (exit, output) = await RunAsync("unzip", ["-v", zipPath], cancellationToken);
        Assert.Equal(0, exit);
        var methods = new Dictionary<string, string>(StringComparer.Ordinal);
        var inTable = false;
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith("--------", StringComparison.Ordinal))
            {
                if (inTable)
                {
                    break;
                }

                inTable = true;
                continue;
            }

            if (!inTable)
            {
                continue;
            }

            // Length Method Size Cmpr Date Time CRC-32 Name (the name may hold spaces)
            var parts = line.Split(' ', 8, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 8)
            {
                methods[parts[7].TrimEnd('\r')] = parts[1];
            }
        }

        return methods;
    }

    private static bool IsOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
