using System.Security.Cryptography;
using Npgsql;

namespace Bambuddy.EndToEnd.Tests;

/// <summary>
/// A fingerprint of the whole installation: every table's rows (PostgreSQL's text form, sorted) and
/// every file of the data folders and the MFA key with its SHA-256. Two equal states are byte-for-byte
/// the same installation as a restore sees it.
/// </summary>
internal sealed record InstallationState(IReadOnlyDictionary<string, string> Tables, IReadOnlyDictionary<string, string> Files)
{
    private static readonly string[] DataFolders = ["archive", "virtual_printer", "projects", "icons", "plate_calibration"];

    public static async Task<InstallationState> ReadAsync(string connectionString, string dataDirectory, CancellationToken cancellationToken)
    {
        var tables = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var names = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", connection))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                names.Add(reader.GetString(0));
            }
        }

        foreach (var name in names)
        {
            await using var digest = new NpgsqlCommand(
                $"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM public.\"{name}\" t", connection);
            tables[name] = (string)(await digest.ExecuteScalarAsync(cancellationToken))!;
        }

        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var folder in DataFolders.Select(f => Path.Combine(dataDirectory, f)).Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                files[Path.GetRelativePath(dataDirectory, file)] = await HashAsync(file, cancellationToken);
            }
        }

        var key = Path.Combine(dataDirectory, ".mfa_encryption_key");
        if (File.Exists(key))
        {
            files[".mfa_encryption_key"] = await HashAsync(key, cancellationToken);
        }

        return new InstallationState(tables, files);
    }

    public static void AssertEqual(InstallationState expected, InstallationState actual)
    {
        Assert.Equal(expected.Tables.Keys, actual.Tables.Keys);
        foreach (var (table, digest) in expected.Tables)
        {
            Assert.True(digest == actual.Tables[table], $"table {table} differs: expected {digest}, got {actual.Tables[table]}");
        }

        Assert.Equal(expected.Files.Keys, actual.Files.Keys);
        foreach (var (file, sha) in expected.Files)
        {
            Assert.True(sha == actual.Files[file], $"file {file} differs");
        }
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }
}
