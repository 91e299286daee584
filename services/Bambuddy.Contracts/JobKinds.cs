namespace Bambuddy.Contracts;

/// <summary>The kinds of job, as the REST surface names them.</summary>
public static class JobKinds
{
    public const string LocalBackup = "local_backup";
    public const string DownloadBackup = "download_backup";
    public const string SafetyBackup = "safety_backup";
    public const string Restore = "restore";
    public const string GitBackup = "git_backup";
    public const string GitTest = "git_test";
}
