using Bambuddy.Core.Installation;

namespace Bambuddy.DemoData;

/// <summary>What was generated; <see cref="Skipped"/> when <c>IfEmpty</c> found printers already.</summary>
public sealed record DemoInstallationResult(
    BambuddyInstallation Installation,
    bool Skipped,
    long Rows,
    IReadOnlyDictionary<string, int> RowsByTable,
    int Files,
    long MediaBytes);
