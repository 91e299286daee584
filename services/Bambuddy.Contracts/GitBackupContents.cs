namespace Bambuddy.Contracts;

/// <summary>Which categories a git backup exports (Bambuddy's toggles).</summary>
public sealed record GitBackupContents(
    bool KProfiles,
    bool CloudProfiles,
    bool Settings,
    bool Spools,
    bool Archives);
