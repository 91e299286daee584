using Npgsql;
using NpgsqlTypes;

namespace Bambuddy.Core.Archive;

/// <summary>The tables of a PostgreSQL database's <c>public</c> schema, read from <c>pg_catalog</c>.</summary>
internal static class PostgresCatalog
{
    public static List<Table> ReadTables(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        var tables = new List<Table>();
        using (var command = new NpgsqlCommand(
            """
            SELECT c.oid, c.relname
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            ORDER BY c.relname
            """,
            connection,
            transaction))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                tables.Add(new Table(reader.GetFieldValue<uint>(0), reader.GetString(1), [], [], []));
            }
        }

        var byOid = tables.ToDictionary(t => t.Oid);
        var oids = tables.Select(t => t.Oid).ToArray();

        using (var command = new NpgsqlCommand(
            """
            SELECT a.attrelid, a.attname, bt.typname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid)
            FROM pg_attribute a
            JOIN pg_type t ON t.oid = a.atttypid
            JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = ANY(@oids) AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attrelid, a.attnum
            """,
            connection,
            transaction))
        {
            command.Parameters.Add(new NpgsqlParameter("oids", NpgsqlDbType.Array | NpgsqlDbType.Oid) { Value = oids });
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                byOid[reader.GetFieldValue<uint>(0)].Columns.Add(new Column(
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetBoolean(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5)));
            }
        }

        using (var command = new NpgsqlCommand(
            """
            SELECT con.conrelid, con.conname, con.contype,
                   ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o),
                   fc.relname,
                   ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
                         JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o),
                   con.confdeltype, con.confupdtype
            FROM pg_constraint con LEFT JOIN pg_class fc ON fc.oid = con.confrelid
            WHERE con.conrelid = ANY(@oids) AND con.contype IN ('p', 'u', 'f')
            ORDER BY con.conrelid, con.contype DESC, con.conname
            """,
            connection,
            transaction))
        {
            command.Parameters.Add(new NpgsqlParameter("oids", NpgsqlDbType.Array | NpgsqlDbType.Oid) { Value = oids });
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                byOid[reader.GetFieldValue<uint>(0)].Constraints.Add(new Constraint(
                    reader.GetString(1),
                    reader.GetChar(2),
                    reader.GetFieldValue<string[]>(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetFieldValue<string[]>(5),
                    reader.GetChar(6),
                    reader.GetChar(7)));
            }
        }

        using (var command = new NpgsqlCommand(
            """
            SELECT ix.indrelid, i.relname, ix.indisunique,
                   ARRAY(SELECT a.attname FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(n, o)
                         JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n ORDER BY k.o),
                   ix.indexprs IS NOT NULL OR ix.indpred IS NOT NULL
            FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
            WHERE ix.indrelid = ANY(@oids)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype IN ('p', 'u', 'x'))
            ORDER BY ix.indrelid, i.relname
            """,
            connection,
            transaction))
        {
            command.Parameters.Add(new NpgsqlParameter("oids", NpgsqlDbType.Array | NpgsqlDbType.Oid) { Value = oids });
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                byOid[reader.GetFieldValue<uint>(0)].Indexes.Add(new Index(
                    reader.GetString(1),
                    reader.GetBoolean(2),
                    reader.GetFieldValue<string[]>(3),
                    reader.GetBoolean(4)));
            }
        }

        return tables;
    }

    public sealed record Table(uint Oid, string Name, List<Column> Columns, List<Constraint> Constraints, List<Index> Indexes);

    /// <param name="TypeName">The base type's <c>typname</c> (domains resolved): <c>int4</c>, <c>varchar</c>, <c>timestamptz</c>, …</param>
    /// <param name="FormattedType">As <c>format_type</c> prints it, with its modifier: <c>character varying(100)</c>.</param>
    public sealed record Column(string Name, string TypeName, string FormattedType, bool NotNull, string? Default);

    /// <param name="Kind"><c>p</c>rimary key, <c>u</c>nique or <c>f</c>oreign key.</param>
    public sealed record Constraint(string Name, char Kind, string[] Columns, string? ForeignTable, string[] ForeignColumns, char OnDelete, char OnUpdate);

    /// <param name="IsComplex">An expression or partial index, which is not carried over.</param>
    public sealed record Index(string Name, bool IsUnique, string[] Columns, bool IsComplex);
}
