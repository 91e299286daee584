namespace Bambuddy.Scheduler.Restores;

/// <summary>Either the spooled file (path and size), or why the upload was refused (nothing is left on disk then).</summary>
public sealed record SpooledUpload(string? Path, long Size, UploadFailure? Failure);
