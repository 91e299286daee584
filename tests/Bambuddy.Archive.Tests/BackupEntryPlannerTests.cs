using Bambuddy.Core.Archive;
using Bambuddy.Testing;

namespace Bambuddy.Archive.Tests;

public sealed class BackupEntryPlannerTests
{
    [Fact]
    public void PlanListsTheDataFoldersAndKeySortedWithSlashNamesAndLeavesTheRestOut()
    {
        using var data = new TempDirectory();
        TestInstallation.CreateDataDirectory(data.Path);

        var plan = BackupEntryPlanner.Plan(data.Path, CancellationToken.None);

        var expected = TestInstallation.DataFiles.Select(f => f.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, plan.Entries.Select(e => e.Name).ToList());
        Assert.Equal(TestInstallation.DataFiles.ToDictionary(f => f.Name, f => (long)f.Size), plan.Entries.ToDictionary(e => e.Name, e => e.Size));
        Assert.Empty(plan.Warnings);
        Assert.Equal(".mfa_encryption_key", plan.Entries[0].Name);
    }

    [Fact]
    public void PlanOfAnEmptyDataDirectoryIsEmpty()
    {
        using var data = new TempDirectory();

        var plan = BackupEntryPlanner.Plan(data.Path, CancellationToken.None);

        Assert.Empty(plan.Entries);
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public void SymbolicLinksAreSkippedWithAWarningAndNeverFollowedOutOfTheDataDirectory()
    {
        using var data = new TempDirectory();
        using var outside = new TempDirectory();
        File.WriteAllText(outside.Combine("secret.txt"), "outside");
        Directory.CreateDirectory(outside.Combine("tree"));
        File.WriteAllText(outside.Combine("tree", "deep.txt"), "outside");
        Directory.CreateDirectory(data.Combine("archive", "1"));
        File.WriteAllText(data.Combine("archive", "1", "real.txt"), "inside");
        File.CreateSymbolicLink(data.Combine("archive", "1", "link.txt"), outside.Combine("secret.txt"));
        Directory.CreateSymbolicLink(data.Combine("archive", "linked-folder"), outside.Combine("tree"));
        Directory.CreateSymbolicLink(data.Combine("icons"), outside.Path);

        var plan = BackupEntryPlanner.Plan(data.Path, CancellationToken.None);

        Assert.Equal(["archive/1/real.txt"], plan.Entries.Select(e => e.Name));
        Assert.Equal(3, plan.Warnings.Count);
        Assert.Contains(plan.Warnings, w => w.Contains("archive/1/link.txt", StringComparison.Ordinal) && w.Contains("symbolic link", StringComparison.Ordinal));
        Assert.Contains(plan.Warnings, w => w.Contains("archive/linked-folder", StringComparison.Ordinal));
        Assert.Contains(plan.Warnings, w => w.Contains("icons/", StringComparison.Ordinal));
    }

    [Fact]
    public void TheStreamedWalkYieldsFilesInTheOrdinalOrderOfTheirFullNames()
    {
        using var data = new TempDirectory();
        string[] files =
        [
            "archive/a.b", "archive/b", "archive/b.d/x", "archive/b-x/y", "archive/a-b/x", "archive/a/x", "archive/a/y/z", "archive/a0", "archive/A/q",
            "archive/a.b.c/deep/er/file", "archive/1/20260101_120000_x/f", "archive/1-2/f", "archive/10/f", "archive/1.txt",
            "icons/ü.svg", "icons/u.svg", "icons/z/..hidden", "plate_calibration/1/ref.jpeg", "projects/1/p", "virtual_printer/v",
            ".mfa_encryption_key",
        ];
        foreach (var file in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(data.Path, file))!);
            File.WriteAllText(Path.Combine(data.Path, file), file);
        }

        var warnings = new List<string>();
        var names = BackupEntryPlanner.Enumerate(data.Path, warnings.Add, CancellationToken.None).Select(e => e.Name).ToList();

        Assert.Equal(files.Order(StringComparer.Ordinal), names);
        Assert.Empty(warnings);
    }

    [Fact]
    public void TheWalkListsAFolderWhenItGetsThereSoAFileAddedAheadOfItIsIncluded()
    {
        using var data = new TempDirectory();
        Directory.CreateDirectory(data.Combine("archive", "1"));
        Directory.CreateDirectory(data.Combine("icons"));
        File.WriteAllText(data.Combine("archive", "1", "a.gcode"), "a");
        File.WriteAllText(data.Combine("icons", "a.svg"), "a");

        var names = new List<string>();
        foreach (var entry in BackupEntryPlanner.Enumerate(data.Path, null, CancellationToken.None))
        {
            names.Add(entry.Name);
            if (entry.Name == "archive/1/a.gcode")
            {
                File.WriteAllText(data.Combine("icons", "b.svg"), "b");
            }
        }

        Assert.Equal(["archive/1/a.gcode", "icons/a.svg", "icons/b.svg"], names);
    }

    [Fact]
    public void AFolderDeletedBeforeTheWalkGetsToItIsLeftOutWithoutAnError()
    {
        using var data = new TempDirectory();
        Directory.CreateDirectory(data.Combine("archive", "1"));
        Directory.CreateDirectory(data.Combine("icons", "set"));
        File.WriteAllText(data.Combine("archive", "1", "a.gcode"), "a");
        File.WriteAllText(data.Combine("icons", "set", "a.svg"), "a");

        var names = new List<string>();
        foreach (var entry in BackupEntryPlanner.Enumerate(data.Path, null, CancellationToken.None))
        {
            names.Add(entry.Name);
            Directory.Delete(data.Combine("icons"), recursive: true);
        }

        Assert.Equal(["archive/1/a.gcode"], names);
    }

    [Fact]
    public void AMissingDataDirectoryFailsAtOnce()
    {
        using var data = new TempDirectory();

        Assert.Throws<DirectoryNotFoundException>(() => BackupEntryPlanner.Enumerate(data.Combine("nope"), null, CancellationToken.None));
    }

    [Theory]
    [InlineData("archive/1/x/Benchy.gcode.3mf", BackupEntryCompression.Store)]
    [InlineData("archive/1/x/Benchy.3MF", BackupEntryCompression.Store)]
    [InlineData("archive/1/x/timelapse.mp4", BackupEntryCompression.Store)]
    [InlineData("archive/1/x/thumbnail.png", BackupEntryCompression.Store)]
    [InlineData("archive/1/x/photo.JPG", BackupEntryCompression.Store)]
    [InlineData("archive/1/x/photo.jpeg", BackupEntryCompression.Store)]
    [InlineData("archive/library/thumbnails/a.webp", BackupEntryCompression.Store)]
    [InlineData("projects/1/attachments/a.zip", BackupEntryCompression.Store)]
    [InlineData("projects/1/attachments/a.tar.gz", BackupEntryCompression.Store)]
    [InlineData("projects/1/attachments/a.7z", BackupEntryCompression.Store)]
    [InlineData("archive/1/x/clip.mov", BackupEntryCompression.Store)]
    [InlineData("archive/1/x/clip.avi", BackupEntryCompression.Store)]
    [InlineData("archive/1/x/clip.mkv", BackupEntryCompression.Store)]
    [InlineData("virtual_printer/uploads/job.gcode", BackupEntryCompression.Deflate)]
    [InlineData("archive/library/files/part.stl", BackupEntryCompression.Deflate)]
    [InlineData(".mfa_encryption_key", BackupEntryCompression.Deflate)]
    [InlineData("icons/a.svg", BackupEntryCompression.Deflate)]
    public void CompressionFollowsTheExtension(string name, BackupEntryCompression expected)
    {
        Assert.Equal(expected, BackupEntryPlanner.CompressionFor(name));
    }
}
