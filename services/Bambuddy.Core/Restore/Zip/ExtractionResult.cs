namespace Bambuddy.Core.Restore.Zip;

/// <summary>What <see cref="BackupZip.ExtractAllAsync"/> wrote, and what the user should know about it.</summary>
/// <param name="Bytes">Uncompressed bytes written.</param>
/// <param name="Entries">Files written.</param>
/// <param name="Warnings">E.g. that a backup without a manifest could not have its checksums verified.</param>
public sealed record ExtractionResult(long Bytes, int Entries, IReadOnlyList<string> Warnings);
