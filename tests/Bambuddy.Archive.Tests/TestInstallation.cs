using System.Security.Cryptography;
using Bambuddy.Core.Bambuddy;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bambuddy.Archive.Tests;

/// <summary>Small, deterministic Bambuddy installations for the archive tests.</summary>
internal static class TestInstallation
{
    /// <summary>Data files every test installation has, by archive name.</summary>
    public static readonly IReadOnlyList<(string Name, int Size)> DataFiles =
    [
        (".mfa_encryption_key", 44),
        ("archive/1/20260101_120000_Benchy/Benchy.gcode.3mf", 300_000),
        ("archive/1/20260101_120000_Benchy/thumbnail.png", 20_000),
        ("archive/1/20260101_120000_Benchy/timelapse.mp4", 1_500_000),
        ("archive/1/20260101_120000_Benchy/photos/a.jpg", 8_000),
        ("archive/unassigned/20260102_080000_Gear/Gear.3mf", 50_000),
        ("archive/2/20260103_090000_Würfel mit Öse/Würfel mit Öse.gcode.3mf", 10_000),
        ("archive/library/files/bracket.stl", 120_000),
        ("archive/library/thumbnails/bracket.webp", 4_000),
        ("virtual_printer/uploads/job.gcode", 200_000),
        ("virtual_printer/certs/printer.key", 1_700),
        ("projects/3/attachments/notes.txt", 2_000),
        ("projects/3/attachments/drawing.pdf", 0),
        ("icons/spool.svg", 900),
        ("plate_calibration/1/reference.jpeg", 30_000),
    ];

    /// <summary>Files in DATA_DIR that a backup must leave out.</summary>
    public static readonly IReadOnlyList<string> IgnoredFiles =
        ["backups/bambuddy-backup-20250101-000000.zip", "logs/bambuddy.log", ".jwt_secret", "cache/x.bin"];

    /// <summary>Writes the data files (compressible text for text names, random bytes otherwise); returns their SHA-256 by name.</summary>
    public static Dictionary<string, string> CreateDataDirectory(string dataDirectory)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        var random = new Random(1234);
        foreach (var (name, size) in DataFiles)
        {
            var bytes = Content(name, size, random);
            var path = Path.Combine(dataDirectory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
            hashes[name] = Convert.ToHexStringLower(SHA256.HashData(bytes));
        }

        foreach (var name in IgnoredFiles)
        {
            var path = Path.Combine(dataDirectory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "not part of a backup");
        }

        Directory.CreateDirectory(Path.Combine(dataDirectory, "icons", "empty-folder"));
        return hashes;
    }

    public static byte[] Content(string name, int size, Random random)
    {
        var bytes = new byte[size];
        if (name.EndsWith(".gcode", StringComparison.Ordinal) || name.EndsWith(".txt", StringComparison.Ordinal) || name.EndsWith(".stl", StringComparison.Ordinal))
        {
            var line = "G1 X10.5 Y20.25 E0.0312 F1800 ; move\n"u8;
            for (var i = 0; i < size; i++)
            {
                bytes[i] = line[i % line.Length];
            }
        }
        else
        {
            random.NextBytes(bytes);
        }

        return bytes;
    }

    public static SqliteConnection OpenSqlite(string path, SqliteOpenMode mode = SqliteOpenMode.ReadWriteCreate) =>
        new(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());

    /// <summary>A Bambuddy SQLite database in WAL mode, as Bambuddy runs it, with a few printers and archives.</summary>
    public static async Task CreateSqliteDatabaseAsync(string path, int archives, CancellationToken cancellationToken)
    {
        await using var connection = OpenSqlite(path);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA journal_mode = WAL", cancellationToken);
        await BambuddySchema.ApplyToSqliteAsync(connection, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, """
            INSERT INTO printers (id, name, serial_number, ip_address, access_code, nozzle_count, is_active, auto_archive,
                                  print_hours_offset, runtime_seconds, external_camera_enabled, camera_rotation,
                                  plate_detection_enabled, awaiting_plate_clear)
            VALUES (1, 'X1C Workshop', '00M09A350100001', '192.168.1.50', '12345678', 1, 1, 1, 0.0, 3600, 0, 0, 0, 0),
                   (2, 'P1S Garage', '01P00A400200002', '192.168.1.51', '87654321', 1, 0, 1, 1.5, 0, 0, 0, 0, 0);
            INSERT INTO settings ("key", value) VALUES ('local_backup_enabled', 'true'), ('local_backup_retention', '5');
            """, cancellationToken);
        for (var i = 1; i <= archives; i++)
        {
            await ExecuteAsync(connection, $$"""
                INSERT INTO print_archives (id, printer_id, filename, file_path, file_size, status, is_favorite, quantity, print_name, extra_data, started_at)
                VALUES ({{i}}, 1, 'Part{{i}}.3mf', 'archive/1/2026_{{i}}/Part{{i}}.3mf', {{1000 + i}}, 'completed', {{i % 2}}, 1,
                        '{{(i == 1 ? "Benchy Speedboat" : "Part " + i)}}', '{"plate": {{i}}}', '2026-01-01 12:00:00.123456');
                """, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>A PostgreSQL Bambuddy database with rows that exercise every value conversion, and one table Bambuddy does not have.</summary>
    public static async Task SeedPostgresAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await BambuddySchema.ApplyToPostgresAsync(connection, cancellationToken);
        await using var command = new NpgsqlCommand("""
            INSERT INTO printers (name, serial_number, ip_address, access_code, nozzle_count, is_active, auto_archive,
                                  print_hours_offset, runtime_seconds, external_camera_enabled, camera_rotation,
                                  plate_detection_enabled, awaiting_plate_clear, last_runtime_update, created_at)
            VALUES ('X1C Workshop', '00M09A350100001', '192.168.1.50', '12345678', 1, true, false, 0.25, 3600, false, 90, true, false,
                    '2026-03-04 05:06:07.891011', '2026-03-04 05:06:07'),
                   ('P1S Garage', '01P00A400200002', '192.168.1.51', '87654321', 1, false, true, 1.5, 0, false, 0, false, false, NULL, now());
            INSERT INTO print_archives (printer_id, filename, file_path, file_size, status, is_favorite, quantity, print_name, extra_data, tags)
            SELECT 1, 'Part' || g || '.3mf', 'archive/1/2026_' || g || '/Part' || g || '.3mf', 1000 + g, 'completed', g % 2 = 0, 1,
                   CASE WHEN g = 1 THEN 'Benchy Speedboat' ELSE 'Part ' || g END, ('{"plate": ' || g || '}')::json, 'pla,test'
            FROM generate_series(1, 120) g;
            INSERT INTO auth_rate_limit_events (username, event_type, occurred_at)
            VALUES ('admin', 'login_failed', '2026-05-06 07:08:09.5+02');
            INSERT INTO oidc_providers (name, issuer_url, client_id, client_secret, scopes, is_enabled, auto_create_users,
                                        auto_link_existing_accounts, email_claim, require_email_verified, icon_data, icon_content_type, icon_etag)
            VALUES ('Keycloak', 'https://id.example', 'bambuddy', 'fernet:abc', 'openid email', true, false, false, 'email', true,
                    '\x89504e470d0a1a0a00ff'::bytea, 'image/png', 'etag1');
            INSERT INTO settings ("key", value) VALUES ('local_backup_enabled', 'true');

            CREATE TABLE farm_notes (
                id SERIAL PRIMARY KEY,
                code VARCHAR(20) NOT NULL UNIQUE,
                printer_id INTEGER REFERENCES printers (id) ON DELETE CASCADE,
                amount NUMERIC(10, 2),
                noted_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
                flags JSONB,
                tags TEXT[],
                active BOOLEAN DEFAULT true NOT NULL
            );
            CREATE INDEX ix_farm_notes_printer ON farm_notes (printer_id);
            INSERT INTO farm_notes (code, printer_id, amount, flags, tags)
            VALUES ('A1', 1, 12.34, '{"rush": true}', ARRAY['a', 'b']), ('B2', NULL, NULL, NULL, NULL);
            """, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    public static async Task<List<object?[]>> RowsAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
