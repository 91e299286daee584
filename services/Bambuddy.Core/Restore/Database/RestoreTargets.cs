using Bambuddy.Core.Installation;

namespace Bambuddy.Core.Restore.Database;

public static class RestoreTargets
{
    public static IRestoreTarget For(BambuddyInstallation installation) => installation.Backend switch
    {
        DatabaseBackend.Sqlite => new SqliteRestoreTarget(installation.SqlitePath!),
        _ => new PostgresRestoreTarget(installation.ConnectionString),
    };
}
