namespace Bambuddy.Core.Installation;

public enum DatabaseBackend
{
    Sqlite,
    PostgreSql,
}
