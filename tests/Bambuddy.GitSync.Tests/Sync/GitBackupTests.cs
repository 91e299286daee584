using System.Text;
using System.Text.Json.Nodes;
using Bambuddy.Contracts;
using Bambuddy.Core.Bambuddy;
using Bambuddy.GitSync.Export;
using Bambuddy.GitSync.Tests.Support;
using Bambuddy.Testing;

namespace Bambuddy.GitSync.Tests.Sync;

/// <summary>The whole git backup against a real smart-HTTP git server and a demo installation.</summary>
public sealed class GitBackupTests(GitServerFixture fixture) : IClassFixture<GitServerFixture>
{
    private static CancellationTokenSource Timeout() => new(TimeSpan.FromMinutes(2));

    private Task<GitBackupHarness> HarnessAsync(string repository, CancellationToken ct) => GitBackupHarness.CreateAsync(fixture.Server, repository, ct);

    [Fact]
    public async Task FirstBackupCommitsEveryEnabledFileAsBambuddyWritesIt()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        await using var harness = await HarnessAsync("first-backup", ct);

        var result = await harness.RunAsync(GitBackupHarness.Everything, ct);
        var cloudTokenUsed = harness.Cloud.LastToken;

        Assert.Equal("success", result.Status);
        var expected = await harness.ExportAsync(GitBackupHarness.Everything, ct);
        var pushed = await fixture.Server.ReadTreeAsync(harness.Repository, "main", ct);
        Assert.Equal(expected.Keys, pushed.Keys);
        foreach (var (path, bytes) in expected)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(pushed[path]), path);
        }

        Assert.Equal(expected.Count, result.FilesChanged);
        var printers = harness.KProfiles.LastPrinters;
        Assert.NotEmpty(printers);
        var paths = pushed.Keys.ToList();
        Assert.Contains("backup_metadata.json", paths);
        Assert.Contains("settings/app_settings.json", paths);
        Assert.Contains("spools/inventory.json", paths);
        Assert.Contains("spools/usage_history.json", paths);
        Assert.Contains("archives/print_history.json", paths);
        Assert.Contains("cloud_profiles/bambu/global/filament.json", paths);
        Assert.All(printers, p => Assert.Contains($"kprofiles/{p.SerialNumber}/0.4.json", paths));

        var log = await fixture.Server.LogAsync(harness.Repository, "main", ct);
        var commit = Assert.Single(log);
        Assert.Equal(result.CommitSha, commit.Sha);
        Assert.Matches(@"^Bambuddy backup - \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$", commit.Subject);
        Assert.Equal("Bambuddy Backup <backup@bambuddy.local>|Bambuddy Backup <backup@bambuddy.local>",
            (await fixture.Server.GitAsync(harness.Repository, ct, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "main")).Trim());
        Assert.Contains(result.Warnings!, w => w.Contains("Offline X1", StringComparison.Ordinal));
        var cloudToken = (await harness.ReadColumnAsync("SELECT value FROM settings WHERE key = 'bambu_cloud_token'", ct)).Single();
        Assert.Equal(cloudToken, cloudTokenUsed);
    }

    [Fact]
    public async Task ExportedRowsFollowBambuddysKeyOrderAndValueFormats()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        await using var harness = await HarnessAsync("formats", ct);

        var files = await harness.ExportAsync(GitBackupHarness.Everything, ct);

        var archives = JsonNode.Parse(files["archives/print_history.json"])!;
        Assert.Equal(["version", "archives"], archives.AsObject().Select(p => p.Key));
        var first = archives["archives"]!.AsArray()[0]!.AsObject();
        Assert.Equal(BambuddyDatabase.PrintArchiveColumns, first.Select(p => p.Key));
        Assert.IsType<bool>(first["is_favorite"]!.GetValue<bool>());
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$", first["created_at"]!.GetValue<string>());
        var spool = JsonNode.Parse(files["spools/inventory.json"])!["spools"]!.AsArray()[0]!.AsObject();
        Assert.Equal(BambuddyDatabase.SpoolColumns, spool.Select(p => p.Key));
        Assert.Contains("\"weight_locked\": false", Encoding.ASCII.GetString(files["spools/inventory.json"]), StringComparison.Ordinal);
        var ids = JsonNode.Parse(files["spools/usage_history.json"])!["usage_history"]!.AsArray().Select(u => u!["id"]!.GetValue<long>()).ToList();
        Assert.Equal(ids.Order(), ids);
        var metadata = Encoding.ASCII.GetString(files["backup_metadata.json"]);
        Assert.StartsWith("{\n  \"version\": \"1.0\",\n  \"backup_type\": \"bambuddy_profiles\",\n  \"contents\": {\n    \"kprofiles\": true,", metadata, StringComparison.Ordinal);
        Assert.Contains(GitExport.OrcaCloudNote, metadata, StringComparison.Ordinal);
        Assert.Contains("\\u2014", Encoding.ASCII.GetString(files["cloud_profiles/bambu/global/filament.json"]), StringComparison.Ordinal);
        Assert.All(files.Values, bytes => Assert.NotEqual((byte)'\n', bytes[^1]));
        // Rows are written without a node tree; parsed and written again through the node serializer they are the same bytes.
        Assert.All(files, f => Assert.Equal(Encoding.ASCII.GetString(f.Value), PythonJson.Serialize(JsonNode.Parse(f.Value))));
        // The same data gives the same bytes: nothing time-dependent is written.
        var again = await harness.ExportAsync(GitBackupHarness.Everything, ct);
        Assert.All(files, f => Assert.Equal(f.Value, again[f.Key]));
    }

    [Fact]
    public async Task SecondBackupWithoutChangesIsSkippedAndPushesNothing()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        await using var harness = await HarnessAsync("skipped", ct);
        await harness.RunAsync(GitBackupHarness.Everything, ct);

        var second = await harness.RunAsync(GitBackupHarness.Everything, ct);

        Assert.Equal("skipped", second.Status);
        Assert.Null(second.CommitSha);
        Assert.Equal(0, second.FilesChanged);
        Assert.Single(await fixture.Server.LogAsync(harness.Repository, "main", ct));
    }

    [Fact]
    public async Task ChangingOneSpoolChangesOnlyTheInventoryFile()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        await using var harness = await HarnessAsync("one-spool", ct);
        await harness.RunAsync(GitBackupHarness.Everything, ct);
        await harness.ExecuteAsync("UPDATE spool SET weight_used = weight_used + 12.5 WHERE id = (SELECT MIN(id) FROM spool)", ct);

        var result = await harness.RunAsync(GitBackupHarness.Everything, ct);

        Assert.Equal("success", result.Status);
        Assert.Equal(1, result.FilesChanged);
        var changed = await fixture.Server.GitAsync(harness.Repository, ct, "diff", "--name-only", "main~1", "main");
        Assert.Equal("spools/inventory.json", changed.Trim());
        Assert.Equal(2, (await fixture.Server.LogAsync(harness.Repository, "main", ct)).Count);
    }

    [Fact]
    public async Task SwitchingCategoriesOffDeletesTheirFilesAndLeavesTheUsersOwnFilesAlone()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        await using var harness = await HarnessAsync("category-off", ct);
        await harness.RunAsync(GitBackupHarness.Everything, ct);
        await harness.PushFromAnotherCloneAsync("README.md", "# My printer farm backup\n", ct);

        var result = await harness.RunAsync(GitBackupHarness.Everything with { Spools = false, Archives = false, CloudProfiles = false }, ct);

        Assert.Equal("success", result.Status);
        var tree = await fixture.Server.ReadTreeAsync(harness.Repository, "main", ct);
        Assert.DoesNotContain(tree.Keys, p => p.StartsWith("spools/", StringComparison.Ordinal) || p.StartsWith("archives/", StringComparison.Ordinal)
                                               || p.StartsWith("cloud_profiles/", StringComparison.Ordinal));
        Assert.Contains("settings/app_settings.json", tree.Keys);
        Assert.Equal("# My printer farm backup\n", Encoding.UTF8.GetString(tree["README.md"]));
        Assert.Equal(await harness.ExportAsync(GitBackupHarness.Everything with { Spools = false, Archives = false, CloudProfiles = false }, ct),
            new SortedDictionary<string, byte[]>(tree.Where(f => f.Key != "README.md").ToDictionary(), StringComparer.Ordinal), new TreeComparer());
        // metadata + 3 spool/archive files + 1 cloud file
        Assert.Equal(5, result.FilesChanged);
    }

    [Fact]
    public async Task APrinterRemovedFromBambuddyLosesItsKProfilesFolder()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        await using var harness = await HarnessAsync("printer-removed", ct);
        await harness.RunAsync(GitBackupHarness.Everything, ct);
        var serial = (await harness.ReadColumnAsync("SELECT serial_number FROM printers ORDER BY id DESC LIMIT 1", ct)).Single();
        Assert.Contains($"kprofiles/{serial}/0.4.json", (await fixture.Server.ReadTreeAsync(harness.Repository, "main", ct)).Keys);

        await harness.ExecuteAsync($"DELETE FROM printers WHERE serial_number = '{serial}'", ct);
        var result = await harness.RunAsync(GitBackupHarness.Everything, ct);

        Assert.Equal("success", result.Status);
        Assert.Equal(2, result.FilesChanged);
        var tree = await fixture.Server.ReadTreeAsync(harness.Repository, "main", ct);
        Assert.DoesNotContain(tree.Keys, p => p.StartsWith($"kprofiles/{serial}/", StringComparison.Ordinal));
        Assert.Contains(tree.Keys, p => p.StartsWith("kprofiles/", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(harness.WorkingClone, "kprofiles", serial)));
    }

    [Fact]
    public async Task AWrongTokenFailsNamingTheRefusalAndChangesNothing()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        await using var harness = await HarnessAsync("wrong-token", ct);
        await harness.RunAsync(GitBackupHarness.Everything, ct);
        await harness.ExecuteAsync("UPDATE spool SET weight_used = weight_used + 1", ct);
        var before = await fixture.Server.LogAsync(harness.Repository, "main", ct);
        var refusals = fixture.Server.Refusals;
        const string wrongToken = "ghp_WrongToken_9876543210";

        var result = await harness.RunAsync(GitBackupHarness.Everything, ct, token: wrongToken);

        Assert.Equal("failed", result.Status);
        Assert.Equal("clone", result.Step);
        Assert.Contains("401", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongToken, result.Message, StringComparison.Ordinal);
        Assert.Equal(before, await fixture.Server.LogAsync(harness.Repository, "main", ct));
        // The callback gives up after the first refusal instead of letting libgit2 replay the token ~15 times.
        Assert.InRange(fixture.Server.Refusals - refusals, 1, 3);
        Assert.Equal("", await GitHttpServer.RunGitAsync(harness.WorkingClone, ct, "status", "--porcelain"));
    }

    [Fact]
    public async Task APushRejectedByTheServerFailsNamingTheRejectionAndLeavesTheCloneAtTheRemoteTip()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        await using var harness = await HarnessAsync("rejected", ct);
        var first = await harness.RunAsync(GitBackupHarness.Everything, ct);
        var hook = Path.Combine(fixture.Server.RepositoryPath(harness.Repository), "hooks", "pre-receive");
        await File.WriteAllTextAsync(hook, "#!/bin/sh\necho 'main is protected' >&2\nexit 1\n", ct);
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await harness.ExecuteAsync("UPDATE spool SET weight_used = weight_used + 1", ct);

        var result = await harness.RunAsync(GitBackupHarness.Everything, ct);

        Assert.Equal("failed", result.Status);
        Assert.Equal("push", result.Step);
        Assert.StartsWith("The server rejected the push: refs/heads/main: ", result.Message, StringComparison.Ordinal);
        Assert.Contains("hook declined", result.Message, StringComparison.Ordinal);
        Assert.Single(await fixture.Server.LogAsync(harness.Repository, "main", ct));
        Assert.Equal(first.CommitSha, (await GitHttpServer.RunGitAsync(harness.WorkingClone, ct, "rev-parse", "main")).Trim());
        Assert.Equal("", await GitHttpServer.RunGitAsync(harness.WorkingClone, ct, "status", "--porcelain"));
    }

    [Fact]
    public async Task APushBySomeoneElseMeanwhileIsKeptAndTheBackupLandsOnTopOfIt()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        await using var harness = await HarnessAsync("concurrent", ct);
        await harness.RunAsync(GitBackupHarness.Everything, ct);
        await harness.ExecuteAsync("UPDATE spool SET weight_used = weight_used + 3", ct);
        var interloper = new InterloperProgress(() => harness.PushFromAnotherCloneAsync("NOTES.md", "someone else's notes\n", ct).GetAwaiter().GetResult());

        var result = await harness.RunAsync(GitBackupHarness.Everything, ct, progress: interloper);

        Assert.True(interloper.Pushed);
        Assert.Equal("success", result.Status);
        var log = await fixture.Server.LogAsync(harness.Repository, "main", ct);
        Assert.Equal(3, log.Count);
        Assert.Equal(result.CommitSha, log[0].Sha);
        Assert.Equal("Add NOTES.md", log[1].Subject);
        var tree = await fixture.Server.ReadTreeAsync(harness.Repository, "main", ct);
        Assert.Equal("someone else's notes\n", Encoding.UTF8.GetString(tree["NOTES.md"]));
        Assert.Equal((await harness.ExportAsync(GitBackupHarness.Everything, ct))["spools/inventory.json"], tree["spools/inventory.json"]);
    }

    [Fact]
    public async Task AWorkingCloneWithAGarbageHeadIsClonedAgain()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        await using var harness = await HarnessAsync("garbage-head", ct);
        await harness.RunAsync(GitBackupHarness.Everything, ct);
        await File.WriteAllTextAsync(Path.Combine(harness.WorkingClone, ".git", "HEAD"), "\0\0 not a ref \u00ff", ct);
        await harness.ExecuteAsync("UPDATE spool SET weight_used = weight_used + 4", ct);

        var result = await harness.RunAsync(GitBackupHarness.Everything, ct);

        Assert.Equal("success", result.Status);
        Assert.Equal(1, result.FilesChanged);
        Assert.Equal(2, (await fixture.Server.LogAsync(harness.Repository, "main", ct)).Count);
    }

    [Fact]
    public async Task AWorkingCloneWithMissingObjectsIsClonedAgain()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        await using var harness = await HarnessAsync("missing-objects", ct);
        await harness.RunAsync(GitBackupHarness.Everything, ct);
        var objects = Path.Combine(harness.WorkingClone, ".git", "objects");
        foreach (var folder in Directory.EnumerateDirectories(objects).Where(d => Path.GetFileName(d).Length == 2 || Path.GetFileName(d) == "pack"))
        {
            foreach (var file in Directory.EnumerateFiles(folder))
            {
                File.SetAttributes(file, FileAttributes.Normal);
                File.Delete(file);
            }
        }

        await harness.ExecuteAsync("UPDATE spool SET weight_used = weight_used + 5", ct);

        var result = await harness.RunAsync(GitBackupHarness.Everything, ct);

        Assert.True(result.Status == "success", result.Message);
        Assert.Equal(1, result.FilesChanged);
        Assert.Equal(2, (await fixture.Server.LogAsync(harness.Repository, "main", ct)).Count);
    }

    [Fact]
    public async Task ThePushTokenAndEverySecretStayOutOfFilesConfigHistoryAndLogs()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        await using var harness = await HarnessAsync("secrets", ct);
        await harness.RunAsync(GitBackupHarness.Everything, ct);
        await harness.ExecuteAsync("INSERT INTO settings (key, value, created_at, updated_at) VALUES ('webhook_api_key', 'whk_CustomSecretValue42', '2026-01-01 00:00:00', '2026-01-01 00:00:00')", ct);
        await harness.RunAsync(GitBackupHarness.Everything, ct);
        await harness.RunAsync(GitBackupHarness.Everything, ct, token: "ghp_AnotherWrongToken_555");

        var secrets = new List<string> { GitServerFixture.Token, "ghp_AnotherWrongToken_555", "whk_CustomSecretValue42" };
        var settings = await harness.ReadColumnAsync("SELECT key FROM settings", ct);
        foreach (var key in settings.Where(SecretSettings.IsSecret))
        {
            secrets.AddRange(await harness.ReadColumnAsync($"SELECT value FROM settings WHERE key = '{key}' AND length(value) >= 6", ct));
        }

        secrets.AddRange(await harness.ReadColumnAsync("SELECT access_code FROM printers", ct));
        Assert.True(secrets.Count >= 12, $"only {secrets.Count} secrets to look for");

        var exported = await harness.ExportAsync(GitBackupHarness.Everything, ct);
        var appSettings = JsonNode.Parse(exported["settings/app_settings.json"])!["settings"]!.AsObject();
        Assert.DoesNotContain(appSettings, s => SecretSettings.IsSecret(s.Key));
        Assert.Contains("currency", appSettings.Select(s => s.Key));
        var files = Encoding.UTF8.GetString([.. exported.Values.SelectMany(b => b)]);
        var config = await File.ReadAllTextAsync(Path.Combine(harness.WorkingClone, ".git", "config"), ct);
        var history = Encoding.UTF8.GetString(await fixture.Server.ReadAllObjectsAsync(harness.Repository, ct));
        var cloneObjects = await GitHttpServer.RunGitAsync(harness.WorkingClone, ct, "cat-file", "--batch-all-objects", "--batch", "--unordered");
        var logs = string.Join('\n', harness.Logs.Lines);
        Assert.NotEmpty(harness.Logs.Lines);
        Assert.Contains("app_settings.json", history, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, files, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, config, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, history, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, cloneObjects, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }

        Assert.Contains(harness.RepositoryUrl, config, StringComparison.Ordinal);
        Assert.DoesNotContain("@127.0.0.1", config, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APublicRepositoryIsRefusedAndAnUnknownPrivacyGoesOnWithAWarning()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        await using var harness = await HarnessAsync("privacy", ct);
        harness.Hosting.IsPrivate = false;
        var requests = fixture.Server.Requests;

        var refused = await harness.RunAsync(GitBackupHarness.Everything, ct);

        Assert.Equal("failed", refused.Status);
        Assert.Equal("privacy", refused.Step);
        Assert.Contains("public", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await fixture.Server.LogAsync(harness.Repository, "main", ct));
        Assert.False(Directory.Exists(harness.WorkingClone));

        harness.Hosting.IsPrivate = null;
        var unknown = await harness.RunAsync(GitBackupHarness.Everything, ct);

        Assert.Equal("success", unknown.Status);
        Assert.Contains(unknown.Warnings!, w => w.Contains("private", StringComparison.Ordinal));
        Assert.True(fixture.Server.Requests > requests);
    }

    [Fact]
    public async Task AnEmptyRemoteGetsItsFirstBranchAndAnotherBranchNameIsHonoured()
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        await using var harness = await HarnessAsync("other-branch", ct);
        await harness.RunAsync(GitBackupHarness.Everything, ct);

        var result = await harness.Runner.RunAsync(Guid.NewGuid(), harness.Target with { Branch = "backups" }, GitBackupHarness.Everything,
            GitServerFixture.Token, new Progress<string>(), ct);

        Assert.Equal("success", result.Status);
        var backups = await fixture.Server.LogAsync(harness.Repository, "backups", ct);
        Assert.Equal(result.CommitSha, Assert.Single(backups).Sha);
        Assert.Single(await fixture.Server.LogAsync(harness.Repository, "main", ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../main")]
    [InlineData("a..b")]
    [InlineData("with space")]
    public async Task AnInvalidBranchNameFailsAtConfigBeforeAnythingIsRead(string branch)
    {
        using var timeout = Timeout();
        var ct = timeout.Token;
        await using var harness = await HarnessAsync($"bad-branch-{Guid.NewGuid():N}", ct);

        var result = await harness.Runner.RunAsync(Guid.NewGuid(), harness.Target with { Branch = branch }, GitBackupHarness.Everything,
            GitServerFixture.Token, new Progress<string>(), ct);

        Assert.Equal(("failed", "config"), (result.Status, result.Step));
        Assert.Empty(harness.KProfiles.LastPrinters);
        Assert.False(Directory.Exists(harness.WorkingClone));
    }

    /// <summary>Pushes from another clone the first time the backup says it is committing: after its fetch, before its push.</summary>
    private sealed class InterloperProgress(Action push) : IProgress<string>
    {
        public bool Pushed { get; private set; }

        public void Report(string value)
        {
            if (!Pushed && value.StartsWith("Committing", StringComparison.Ordinal))
            {
                Pushed = true;
                push();
            }
        }
    }

    private sealed class TreeComparer : IEqualityComparer<SortedDictionary<string, byte[]>>
    {
        public bool Equals(SortedDictionary<string, byte[]>? x, SortedDictionary<string, byte[]>? y) =>
            x is not null && y is not null && x.Keys.SequenceEqual(y.Keys) && x.All(f => f.Value.AsSpan().SequenceEqual(y[f.Key]));

        public int GetHashCode(SortedDictionary<string, byte[]> obj) => obj.Count;
    }
}
