using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Bambuddy.Restore.Restoring;
using Bambuddy.Restore.Tests.Zip;
using Bambuddy.Testing;
using Microsoft.Data.Sqlite;

namespace Bambuddy.Restore.Tests.Restoring;

/// <summary>
/// Hostile backups against a real installation: each is made from a real backup with one thing wrong, so the
/// restore gets as far as it can before the refusal. Each is refused with a reason, and the installation's
/// database and files are byte-for-byte as before, with nothing written next to it.
/// </summary>
[Collection(nameof(PostgresCollection))]
public sealed class HostileBackupTests(PostgresServer postgres)
{
    [Theory]
    [InlineData("zip-slip", "'..' path segment")]
    [InlineData("absolute-path", "absolute path")]
    [InlineData("crc-mismatch", "CRC")]
    [InlineData("manifest-mismatch", "SHA-256")]
    [InlineData("no-database", "bambuddy.db")]
    [InlineData("database-not-sqlite", "SQLite")]
    [InlineData("database-not-bambuddys", "printers")]
    [InlineData("database-corrupt-page", "malformed")]
    public async Task HostileBackupIsRefusedAndTheInstallationIsUnchanged(string kind, string reasonContains)
    {
        var ct = TestTimeout.Token(TimeSpan.FromMinutes(3));
        using var harness = new RestoreHarness(postgres);
        var source = await harness.CreateInstallationAsync("source", postgres: false, seed: 1, ct);
        var target = await harness.CreateInstallationAsync("target", postgres: false, seed: 2, ct);
        var good = await harness.BackupAsync(source, ct);
        var hostile = harness.Combine($"hostile-{kind}.zip");
        Forge(good, hostile, kind, harness.Combine("work"));
        var before = await InstallationDigest.ReadAsync(target, ct);
        var neighbours = Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(target.DataDirectory)!).Order().ToList();
        var databaseBytes = await File.ReadAllBytesAsync(target.SqlitePath!, ct);

        var failure = await Assert.ThrowsAsync<RestoreFailure>(() =>
            harness.Runner(target).RunAsync(RestoreHarness.Command(harness.Spool(hostile)), new NullProgress(), ct));

        Assert.True(failure.Refused, failure.Message);
        Assert.Contains(reasonContains, failure.Message, StringComparison.OrdinalIgnoreCase);
        (await InstallationDigest.ReadAsync(target, ct)).AssertSameAs(before);
        Assert.Equal(databaseBytes, await File.ReadAllBytesAsync(target.SqlitePath!, ct));
        Assert.Equal(neighbours, Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(target.DataDirectory)!).Order().ToList());
        Assert.Empty(Directory.EnumerateDirectories(target.DataDirectory, ".bambuddy-restore-*"));
        Assert.False(File.Exists(RestoreJournal.PathFor(harness.StateDirectory)));
    }

    /// <summary>Copies a real backup entry by entry into a raw ZIP, with the one fault <paramref name="kind"/> names.</summary>
    private static void Forge(string goodZip, string hostileZip, string kind, string work)
    {
        Directory.CreateDirectory(work);
        var entries = new List<RawZipEntry>();
        using (var zip = ZipFile.OpenRead(goodZip))
        {
            var lastData = zip.Entries.Last(e => e.FullName.StartsWith("archive/", StringComparison.Ordinal)).FullName;
            foreach (var entry in zip.Entries)
            {
                using var stream = entry.Open();
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                var content = buffer.ToArray();
                switch (kind, entry.FullName)
                {
                    case ("no-database", "bambuddy.db"):
                        continue;
                    case (_, "backup-manifest.json") when kind.StartsWith("database-", StringComparison.Ordinal):
                        // As Bambuddy makes it (no manifest), so the database's own checks are what refuses it.
                        continue;
                    case ("database-not-sqlite", "bambuddy.db"):
                        content = "definitely not a database"u8.ToArray();
                        break;
                    case ("database-not-bambuddys", "bambuddy.db"):
                        content = OtherSqliteDatabase(work);
                        break;
                    case ("database-corrupt-page", "bambuddy.db"):
                        content = CorruptPage(content);
                        break;
                    case ("manifest-mismatch", "backup-manifest.json"):
                        var manifest = JsonNode.Parse(content)!;
                        manifest["entries"]![1]!["sha256"] = new string('0', 64);
                        content = Encoding.UTF8.GetBytes(manifest.ToJsonString());
                        break;
                }

                var raw = RawZipEntry.Stored(entry.FullName, content);
                if (kind == "crc-mismatch" && entry.FullName == lastData)
                {
                    raw = raw with { Crc32 = raw.Crc32 ^ 0xFFFF };
                }

                entries.Add(raw);
            }
        }

        switch (kind)
        {
            case "zip-slip":
                entries.Insert(1, RawZipEntry.Stored("archive/../../evil.txt", "escaped"));
                break;
            case "absolute-path":
                entries.Insert(1, RawZipEntry.Stored("/tmp/evil.txt", "escaped"));
                break;
        }

        RawZipWriter.Write(hostileZip, entries);
    }

    private static byte[] OtherSqliteDatabase(string work)
    {
        var path = Path.Combine(work, "other.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('hello');";
            command.ExecuteNonQuery();
        }

        return File.ReadAllBytes(path);
    }

    /// <summary>A database whose header is intact but one of whose b-tree pages is garbage.</summary>
    private static byte[] CorruptPage(byte[] database)
    {
        var pageSize = (database[16] << 8) | database[17];
        pageSize = pageSize == 1 ? 65536 : pageSize;
        var copy = (byte[])database.Clone();
        var page = Math.Min(3, copy.Length / pageSize - 1);
        for (var i = page * pageSize; i < (page + 1) * pageSize; i++)
        {
            copy[i] = 0xA5;
        }

        return copy;
    }
}
