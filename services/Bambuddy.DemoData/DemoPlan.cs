namespace Bambuddy.DemoData;

/// <summary>
/// How many of each thing to make, and how many bytes a unit of media weight is worth, so the rows come
/// near <see cref="DemoInstallationOptions.Rows"/> and the files near <see cref="DemoInstallationOptions.MediaBytes"/>.
/// </summary>
internal sealed record DemoPlan(
    int Printers, int Projects, int LibraryFolders, int LibraryFiles, int Archives, int Spools, int UsageRows, int SensorRows, int Uploads,
    double BytesPerWeight)
{
    // Expected media weight of one archive: 3MF 2.0, timelapse 6.0 (on 80% of them), one photo of 0.6 on average.
    private const double ArchiveWeight = 8.6;

    public static DemoPlan For(DemoInstallationOptions options)
    {
        var bytes = Math.Max(0, options.MediaBytes);
        var rows = options.Rows ?? (int)Math.Clamp(bytes / (100 << 10), 200, 200_000);
        var archives = (int)Math.Clamp(rows / 5, 5, Math.Max(5, bytes / (256 << 10)));
        var printers = Math.Clamp(2 + (rows / 20_000), 2, 12);
        var projects = Math.Clamp(3 + (archives / 50), 3, 40);
        var folders = Math.Min(12, 6 + (projects / 8));
        var libraryFiles = Math.Clamp(4 + (archives / 10), 4, 400);
        var uploads = Math.Clamp(2 + (archives / 40), 2, 60);
        var spools = Math.Clamp(10 + (rows / 2_000), 10, 200);
        var usage = Math.Max(archives, (int)(rows * 0.35));
        var fixedRows = 70 + (printers * 5) + projects + folders + libraryFiles + spools + uploads + (archives * 2);
        var sensors = Math.Max(0, rows - usage - fixedRows);

        // Thumbnails and 3MF parts have sizes of their own; the rest of the budget is spread by weight.
        var thumbnail = DemoMedia.Png(new DemoRandom(0), DemoMedia.ThumbnailSide, DemoMedia.ThumbnailSide).Length;
        var fixedBytes = ((archives + libraryFiles) * (long)(thumbnail + DemoMedia.ThreeMfOverhead)) + 30_000;
        var weight = (archives * ArchiveWeight) + (printers * 0.3) + (projects * 0.75) + (libraryFiles * 1.5) + (uploads * 1.5);
        var bytesPerWeight = Math.Max(1024, (bytes - fixedBytes) / weight);
        return new DemoPlan(printers, projects, folders, libraryFiles, archives, spools, usage, sensors, uploads, bytesPerWeight);
    }
}
