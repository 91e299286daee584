using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bambuddy.GitSync.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Bambuddy.GitSync.Model;
using Microsoft.Extensions.Options;

namespace Bambuddy.GitSync.Tests.Hosting;

public sealed class GitHostingTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Each provider with a repository path its rules read differently: GitLab subgroups, a Gitea path prefix.</summary>
    public static TheoryData<string, string> Providers => new()
    {
        { "github", "maker/backup" },
        { "gitlab", "farm/printers/backup" },
        { "gitea", "git/maker/backup" },
        { "forgejo", "maker/backup" },
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task APrivateRepositoryWithItsBranchPassesWithNameAndPermissions(string provider, string path)
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var host = await ProviderStandIn.StartAsync(provider, path, new([ "main", "old" ]), timeout.Token);
        var logger = new CapturingLogger<GitHosting>();

        var report = await Hosting(logger).TestAsync(provider, host.RepositoryUrl, "main", true, ProviderStandIn.Token, timeout.Token);

        Assert.True(report.Success, report.Message);
        Assert.Null(report.Failure);
        Assert.True(report.IsPrivate);
        Assert.Equal(provider == "gitlab" ? path : string.Join('/', path.Split('/')[^2..]), report.RepoName);
        Assert.True(report.Permissions!["push"]);
        Assert.Contains("branch main exists", report.Message);
        Assert.Contains("is private and the token can push", report.Message);
        Assert.True(host.GitRequests > 0);
        AssertNoToken(report, logger);
    }

    [Fact]
    public async Task AnEmptyRepositoryPassesAndSaysTheFirstBackupCreatesTheBranch()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var host = await ProviderStandIn.StartAsync("github", "maker/empty", new([]), timeout.Token);

        var report = await Hosting().TestAsync("github", host.RepositoryUrl + ".git", "main", true, ProviderStandIn.Token, timeout.Token);

        Assert.True(report.Success, report.Message);
        Assert.Contains("empty", report.Message);
        Assert.Contains("first backup creates branch main", report.Message);
    }

    [Fact]
    public async Task ARepositoryWithOtherBranchesOnlyPassesAndSaysTheBranchWillBeCreated()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var host = await ProviderStandIn.StartAsync("forgejo", "maker/backup", new(["trunk"]), timeout.Token);

        var report = await Hosting().TestAsync("forgejo", host.RepositoryUrl, "bambuddy", true, ProviderStandIn.Token, timeout.Token);

        Assert.True(report.Success, report.Message);
        Assert.Contains("Branch bambuddy does not exist yet", report.Message);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task APublicRepositoryIsRefusedBecauseTheDataIsPersonal(string provider, string path)
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var host = await ProviderStandIn.StartAsync(provider, path, new(["main"], IsPrivate: false), timeout.Token);
        var logger = new CapturingLogger<GitHosting>();

        var report = await Hosting(logger).TestAsync(provider, host.RepositoryUrl, "main", true, ProviderStandIn.Token, timeout.Token);

        Assert.False(report.Success);
        Assert.Equal("public", report.Failure);
        Assert.False(report.IsPrivate);
        Assert.Contains("personal data", report.Message);
        Assert.Equal(0, host.GitRequests);
        AssertNoToken(report, logger);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AWrongTokenIsNamedAsRefused(string provider, string path)
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var host = await ProviderStandIn.StartAsync(provider, path, new(["main"]), timeout.Token);
        var logger = new CapturingLogger<GitHosting>();
        const string wrong = "tok-wrong-Uu81nB";

        var report = await Hosting(logger).TestAsync(provider, host.RepositoryUrl, "main", true, wrong, timeout.Token);

        Assert.Equal("unauthorized", report.Failure);
        Assert.Contains("HTTP 401", report.Message);
        Assert.DoesNotContain(wrong, report.Message);
        Assert.DoesNotContain(logger.Lines, line => line.Contains(wrong));
    }

    [Theory]
    [InlineData("github", "maker/backup", "repo scope")]
    [InlineData("gitlab", "farm/backup", "write_repository")]
    [InlineData("gitea", "maker/backup", "write:repository")]
    [InlineData("forgejo", "maker/backup", "write:repository")]
    public async Task AMissingScopeIsNamedPerProvider(string provider, string path, string scope)
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var host = await ProviderStandIn.StartAsync(provider, path, new(["main"], ApiStatus: 403), timeout.Token);

        var report = await Hosting().TestAsync(provider, host.RepositoryUrl, "main", true, ProviderStandIn.Token, timeout.Token);

        Assert.Equal("forbidden", report.Failure);
        Assert.Contains("HTTP 403", report.Message);
        Assert.Contains(scope, report.Message);
    }

    [Theory]
    [InlineData("github", "maker/backup")]
    [InlineData("gitlab", "farm/printers/backup")]
    [InlineData("gitea", "maker/backup")]
    public async Task ATokenThatMayReadButNotPushIsRefusedBeforeGit(string provider, string path)
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var host = await ProviderStandIn.StartAsync(provider, path, new(["main"], Push: false), timeout.Token);

        var report = await Hosting().TestAsync(provider, host.RepositoryUrl, "main", true, ProviderStandIn.Token, timeout.Token);

        Assert.Equal("forbidden", report.Failure);
        Assert.Contains("cannot push", report.Message);
        Assert.False(report.Permissions!["push"]);
        Assert.Equal(0, host.GitRequests);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AMissingRepositoryIsNotFound(string provider, string path)
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var host = await ProviderStandIn.StartAsync(provider, path, new(["main"], ApiStatus: 404), timeout.Token);

        var report = await Hosting().TestAsync(provider, host.RepositoryUrl, "main", true, ProviderStandIn.Token, timeout.Token);

        Assert.Equal("not_found", report.Failure);
        Assert.Contains("No repository", report.Message);
    }

    [Fact]
    public async Task AClosedPortIsUnreachable()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);

        var report = await Hosting().TestAsync("gitea", $"http://127.0.0.1:{ClosedPort()}/maker/backup", "main", true, ProviderStandIn.Token, timeout.Token);

        Assert.False(report.Success);
        Assert.Equal("unreachable", report.Failure);
        Assert.Contains("unreachable", report.Message);
    }

    [Fact]
    public async Task AnUntrustedCertificateIsATlsError()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        await using var server = await StandInServer.StartAsync(app => app.Run(context => context.Response.WriteAsync("{}")), timeout.Token, selfSigned);

        var report = await Hosting().TestAsync("gitea", $"{server.BaseUrl}/maker/backup", "main", false, ProviderStandIn.Token, timeout.Token);

        Assert.StartsWith("https://", server.BaseUrl);
        Assert.Equal("tls", report.Failure);
        Assert.Contains("TLS", report.Message);
    }

    [Fact]
    public async Task AHostThatNeverAnswersIsUnreachableAtTheBound()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        // The kernel accepts the TCP connection into the backlog; no HTTP answer ever comes.
        using var mute = new TcpListener(IPAddress.Loopback, 0);
        mute.Start();
        var hosting = new GitHosting(new HttpClient(), Options.Create(new GitHostingOptions { GitHostTimeout = TimeSpan.FromSeconds(1) }), new CapturingLogger<GitHosting>());

        var report = await hosting.TestAsync("github", $"http://127.0.0.1:{((IPEndPoint)mute.LocalEndpoint).Port}/maker/backup", "main", true, ProviderStandIn.Token, timeout.Token);

        Assert.Equal("unreachable", report.Failure);
        Assert.Contains("did not answer within 1 s", report.Message);
    }

    [Fact]
    public async Task GitRefusingTheTokenTheApiAcceptedIsNamedAfterOneRefusal()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var host = await ProviderStandIn.StartAsync("gitlab", "farm/backup", new(["main"], GitToken: "another-token-for-git"), timeout.Token);
        var logger = new CapturingLogger<GitHosting>();

        var report = await Hosting(logger).TestAsync("gitlab", host.RepositoryUrl, "main", true, ProviderStandIn.Token, timeout.Token);

        Assert.Equal("unauthorized", report.Failure);
        Assert.Contains("git", report.Message);
        Assert.True(report.IsPrivate);
        // libgit2 alone would replay the refused credentials about fifteen times.
        Assert.InRange(host.GitRequests, 1, 4);
        AssertNoToken(report, logger);
    }

    [Fact]
    public async Task InvalidUrlsAndPlainHttpAreAnsweredNotThrown()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);

        var insecure = await Hosting().TestAsync("github", "http://ghe.lan/maker/backup", "main", false, ProviderStandIn.Token, timeout.Token);
        var ssh = await Hosting().TestAsync("github", "git@github.com:maker/backup.git", "main", false, ProviderStandIn.Token, timeout.Token);

        Assert.Equal(("insecure_http", false), (insecure.Failure, insecure.Success));
        Assert.Contains("allow_insecure_http", insecure.Message);
        Assert.Equal("invalid_url", ssh.Failure);
        Assert.Contains("repository_url", ssh.Message);
    }

    [Theory]
    [InlineData("github", true, null, true)]
    [InlineData("github", false, null, false)]
    [InlineData("gitlab", true, null, true)]
    [InlineData("gitlab", false, null, false)]
    [InlineData("gitea", false, null, false)]
    [InlineData("forgejo", true, 404, null)]
    public async Task PrivacyIsTheApisAnswerOrUnknown(string provider, bool isPrivate, int? apiStatus, bool? expected)
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var host = await ProviderStandIn.StartAsync(provider, "maker/backup", new(["main"], isPrivate, ApiStatus: apiStatus), timeout.Token);

        var answer = await Hosting().IsPrivateAsync(provider, host.RepositoryUrl, true, ProviderStandIn.Token, timeout.Token);

        Assert.Equal(expected, answer);
    }

    [Fact]
    public async Task PrivacyWithAWrongTokenOrUnreachableHostIsUnknown()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var host = await ProviderStandIn.StartAsync("github", "maker/backup", new(["main"]), timeout.Token);

        Assert.Null(await Hosting().IsPrivateAsync("github", host.RepositoryUrl, true, "wrong", timeout.Token));
        Assert.Null(await Hosting().IsPrivateAsync("github", $"http://127.0.0.1:{ClosedPort()}/maker/backup", true, ProviderStandIn.Token, timeout.Token));
    }

    private static GitHosting Hosting(CapturingLogger<GitHosting>? logger = null) => new(
        new HttpClient(),
        Options.Create(new GitHostingOptions { GitHostTimeout = TimeSpan.FromSeconds(10) }),
        logger ?? new CapturingLogger<GitHosting>());

    private static void AssertNoToken(GitConnectionReport report, CapturingLogger<GitHosting> logger)
    {
        Assert.DoesNotContain(ProviderStandIn.Token, report.ToString());
        Assert.NotEmpty(logger.Lines);
        Assert.DoesNotContain(logger.Lines, line => line.Contains(ProviderStandIn.Token));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
