namespace Bambuddy.Core.Restore.Database;

/// <summary>The PostgreSQL column types a restore fills, by their binary COPY encoding.</summary>
internal enum PostgresCopyType
{
    Boolean,
    Int16,
    Int32,
    Int64,
    Single,
    Double,
    Numeric,
    Text,
    Json,
    Jsonb,
    Bytea,
    Timestamp,
    TimestampTz,
    Date,
    Time,
    Uuid,
}
