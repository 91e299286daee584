using Bambuddy.Core.Git;
using Bambuddy.Scheduler.GitBackups;

namespace Bambuddy.Scheduler.Tests.GitBackups;

public sealed class GitBackupValidationTests
{
    private static readonly GitBackupConfig Valid = GitBackupConfig.New("https://github.com/owner/repo", "CfDJ8protected");

    [Theory]
    [InlineData("github", "https://github.com/owner/repo")]
    [InlineData("github", "https://github.com/owner/repo.git")]
    [InlineData("github", "https://github.com/my-org/my.repo_1/")]
    [InlineData("github", "https://ghe.example.com/owner/repo")]
    [InlineData("gitlab", "https://gitlab.com/group/subgroup/project")]
    [InlineData("gitlab", "https://gitlab.example.com/group/project.git")]
    [InlineData("gitea", "https://git.example.com/owner/repo")]
    [InlineData("gitea", "https://example.com/gitea/owner/repo")]
    [InlineData("forgejo", "https://codeberg.org/owner/repo")]
    public void HttpsRepositoryUrlsOfTheirProviderAreAccepted(string provider, string url)
    {
        var problem = GitUrl.Check(provider, url, allowInsecureHttp: false);

        Assert.Null(problem);
    }

    [Fact]
    public void HttpUrlWithoutAllowInsecureHttpIsRejectedNamingTheField()
    {
        var problem = GitUrl.Check("gitea", "http://git.lan/owner/repo", allowInsecureHttp: false);

        Assert.Equal("allow_insecure_http", problem?.Field);
        Assert.Contains("https://", problem?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void HttpUrlWithAllowInsecureHttpIsAccepted()
    {
        var problem = GitUrl.Check("gitea", "http://git.lan:3000/owner/repo", allowInsecureHttp: true);

        Assert.Null(problem);
    }

    [Theory]
    [InlineData("bitbucket")]
    [InlineData("GitHub ")]
    [InlineData("")]
    public void UnknownProviderIsRejectedNamingTheField(string provider)
    {
        var problem = GitUrl.Check(provider, "https://github.com/owner/repo", allowInsecureHttp: false);

        Assert.Equal("provider", problem?.Field);
    }

    [Theory]
    [InlineData("git@github.com:owner/repo.git")]
    [InlineData("ssh://git@github.com/owner/repo.git")]
    [InlineData("git://github.com/owner/repo.git")]
    [InlineData("deploy@git.example.com:owner/repo")]
    public void SshAndGitProtocolUrlsAreRejected(string url)
    {
        var problem = GitUrl.Check("github", url, allowInsecureHttp: false);

        Assert.Equal("repository_url", problem?.Field);
        Assert.Contains("SSH", problem?.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://github.com/")]
    [InlineData("https://github.com/owner")]
    [InlineData("https://github.com/owner/")]
    [InlineData("https://github.com")]
    public void UrlWithoutOwnerAndRepositoryIsRejected(string url)
    {
        var problem = GitUrl.Check("github", url, allowInsecureHttp: false);

        Assert.Equal("repository_url", problem?.Field);
        Assert.Contains("owner", problem?.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://ghp_abc123@github.com/owner/repo")]
    [InlineData("https://x-access-token:ghp_abc123@github.com/owner/repo")]
    [InlineData("https://gitlab.com/group/project?private_token=glpat-abc")]
    [InlineData("https://github.com/owner/repo#ghp_abc")]
    public void UrlCarryingATokenIsRejectedWithoutEchoingIt(string url)
    {
        var problem = GitUrl.Check(url.Contains("gitlab", StringComparison.Ordinal) ? "gitlab" : "github", url, allowInsecureHttp: false);

        Assert.Equal("repository_url", problem?.Field);
        Assert.DoesNotContain("abc", problem?.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("github", "https://gitlab.com/group/project")]
    [InlineData("gitea", "https://github.com/owner/repo")]
    [InlineData("gitlab", "https://codeberg.org/owner/repo")]
    [InlineData("github", "https://gitlab.example.com/group/project")]
    public void UrlOfAnotherProvidersHostIsRejected(string provider, string url)
    {
        var problem = GitUrl.Check(provider, url, allowInsecureHttp: false);

        Assert.Equal("repository_url", problem?.Field);
        Assert.Contains("provider", problem?.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("github", "https://github.com/owner/repo/tree/main")]
    [InlineData("gitlab", "https://gitlab.com/group/project/-/tree/main")]
    [InlineData("github", "https://github.com/owner/../repo")]
    [InlineData("github", "https://github.com/own er/repo")]
    [InlineData("github", "ftp://github.com/owner/repo")]
    [InlineData("github", "github.com/owner/repo")]
    [InlineData("github", "")]
    public void UrlThatIsNotARepositoryIsRejected(string provider, string url)
    {
        var problem = GitUrl.Check(provider, url, allowInsecureHttp: false);

        Assert.Equal("repository_url", problem?.Field);
    }

    [Theory]
    [InlineData("main")]
    [InlineData("backups/bambuddy")]
    [InlineData("release-1.2")]
    [InlineData("v1.0_final")]
    public void ValidBranchNamesAreAccepted(string branch)
    {
        var problem = GitBackupValidation.Check(Valid with { Branch = branch });

        Assert.Null(problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("my branch")]
    [InlineData("a..b")]
    [InlineData("-main")]
    [InlineData("/main")]
    [InlineData("main/")]
    [InlineData("main.")]
    [InlineData("main.lock")]
    [InlineData("a/.hidden")]
    [InlineData("a//b")]
    [InlineData("a~1")]
    [InlineData("a^")]
    [InlineData("a:b")]
    [InlineData("a?")]
    [InlineData("a*")]
    [InlineData("a[b")]
    [InlineData("a\\b")]
    [InlineData("a@{b")]
    [InlineData("@")]
    [InlineData("a\tb")]
    public void InvalidBranchNamesAreRejectedNamingTheField(string branch)
    {
        var problem = GitBackupValidation.Check(Valid with { Branch = branch });

        Assert.Equal("branch", problem?.Field);
    }

    [Theory]
    [InlineData("monthly")]
    [InlineData("Daily")]
    [InlineData("")]
    public void UnknownScheduleTypeIsRejectedNamingTheField(string scheduleType)
    {
        var problem = GitBackupValidation.Check(Valid with { ScheduleType = scheduleType });

        Assert.Equal("schedule_type", problem?.Field);
    }

    [Theory]
    [InlineData("hourly")]
    [InlineData("daily")]
    [InlineData("weekly")]
    public void KnownScheduleTypesAreAccepted(string scheduleType)
    {
        Assert.Null(GitBackupValidation.Check(Valid with { ScheduleType = scheduleType }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("ghp_abc def")]
    [InlineData("ghp_abc\r\nX-Injected: 1")]
    public void UnusableTokensAreRejectedWithoutEchoingThem(string? token)
    {
        var problem = GitBackupValidation.CheckToken(token);

        Assert.NotNull(problem);
        Assert.DoesNotContain("ghp_", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("github", "https://github.com/owner/repo.git", "https://github.com/owner/repo/commit/abc123")]
    [InlineData("github", "https://github.com/owner/repo/", "https://github.com/owner/repo/commit/abc123")]
    [InlineData("gitlab", "https://gitlab.com/group/sub/project.git", "https://gitlab.com/group/sub/project/-/commit/abc123")]
    [InlineData("gitea", "https://git.example.com/owner/repo", "https://git.example.com/owner/repo/commit/abc123")]
    [InlineData("forgejo", "https://codeberg.org/owner/repo.git", "https://codeberg.org/owner/repo/commit/abc123")]
    public void CommitUrlIsBuiltAsEachProviderShowsCommits(string provider, string repositoryUrl, string expected)
    {
        var url = GitUrl.CommitUrl(provider, repositoryUrl, "abc123");

        Assert.Equal(expected, url);
    }

    [Fact]
    public void NoCommitHasNoCommitUrl()
    {
        Assert.Null(GitUrl.CommitUrl("github", "https://github.com/owner/repo", null));
    }

    [Fact]
    public void ConfigNeverPrintsItsProtectedToken()
    {
        var text = Valid.ToString();

        Assert.DoesNotContain("CfDJ8protected", text, StringComparison.Ordinal);
    }
}
