using Bambuddy.GitSync.Hosting;

namespace Bambuddy.GitSync.Tests.Hosting;

public sealed class RepositoryAddressTests
{
    [Theory]
    [InlineData("https://github.com/maker/backup", "https://api.github.com", "/repos/maker/backup", "https://github.com/maker/backup.git")]
    [InlineData("https://github.com/maker/backup.git", "https://api.github.com", "/repos/maker/backup", "https://github.com/maker/backup.git")]
    [InlineData("https://github.com/maker/backup/", "https://api.github.com", "/repos/maker/backup", "https://github.com/maker/backup.git")]
    [InlineData("https://ghe.example.com/team/backup", "https://ghe.example.com/api/v3", "/repos/team/backup", "https://ghe.example.com/team/backup.git")]
    [InlineData("https://ghe.example.com:8443/team/backup.git", "https://ghe.example.com:8443/api/v3", "/repos/team/backup", "https://ghe.example.com:8443/team/backup.git")]
    public void GitHubUrlsGiveTheApiAndTheCloneUrl(string url, string apiBase, string apiPath, string cloneUrl)
    {
        var address = RepositoryAddress.Parse("github", url, allowInsecureHttp: false);

        Assert.Equal((apiBase, apiPath, cloneUrl, "x-access-token"), (address.ApiBase, address.ApiPath, address.CloneUrl, address.GitUserName));
    }

    [Theory]
    [InlineData("https://gitlab.com/maker/backup", "https://gitlab.com/api/v4", "/projects/maker%2Fbackup", "https://gitlab.com/maker/backup.git")]
    [InlineData("https://gitlab.com/farm/printers/sub/backup.git", "https://gitlab.com/api/v4", "/projects/farm%2Fprinters%2Fsub%2Fbackup", "https://gitlab.com/farm/printers/sub/backup.git")]
    [InlineData("https://gitlab.com/farm/printers/backup/-/tree/main", "https://gitlab.com/api/v4", "/projects/farm%2Fprinters%2Fbackup", "https://gitlab.com/farm/printers/backup.git")]
    [InlineData("https://git.example.org:8929/farm/backup", "https://git.example.org:8929/api/v4", "/projects/farm%2Fbackup", "https://git.example.org:8929/farm/backup.git")]
    public void GitLabUrlsNameTheWholeProjectPathEncoded(string url, string apiBase, string apiPath, string cloneUrl)
    {
        var address = RepositoryAddress.Parse("gitlab", url, allowInsecureHttp: false);

        Assert.Equal((apiBase, apiPath, cloneUrl, "oauth2"), (address.ApiBase, address.ApiPath, address.CloneUrl, address.GitUserName));
    }

    [Theory]
    [InlineData("gitea", "https://gitea.example.com/maker/backup", "https://gitea.example.com/api/v1", "/repos/maker/backup", "https://gitea.example.com/maker/backup.git")]
    [InlineData("gitea", "https://example.com/git/maker/backup", "https://example.com/git/api/v1", "/repos/maker/backup", "https://example.com/git/maker/backup.git")]
    [InlineData("forgejo", "https://codeberg.org/maker/backup.git", "https://codeberg.org/api/v1", "/repos/maker/backup", "https://codeberg.org/maker/backup.git")]
    [InlineData("forgejo", "https://home.lan/apps/forgejo/maker/backup/", "https://home.lan/apps/forgejo/api/v1", "/repos/maker/backup", "https://home.lan/apps/forgejo/maker/backup.git")]
    public void GiteaAndForgejoTakeTheLastTwoSegmentsAndKeepThePathPrefix(string provider, string url, string apiBase, string apiPath, string cloneUrl)
    {
        var address = RepositoryAddress.Parse(provider, url, allowInsecureHttp: false);

        Assert.Equal((apiBase, apiPath, cloneUrl), (address.ApiBase, address.ApiPath, address.CloneUrl));
        Assert.Equal("bambuddy", address.GitUserName);
    }

    [Theory]
    [InlineData("github", "git@github.com:maker/backup.git", "repository_url", "SSH")]
    [InlineData("github", "ssh://git@github.com/maker/backup.git", "repository_url", "SSH")]
    [InlineData("gitlab", "gitlab.com:maker/backup.git", "repository_url", "https://")]
    [InlineData("github", "https://maker:ghp_secret@github.com/maker/backup", "repository_url", "access_token")]
    [InlineData("github", "https://ghp_secret@github.com/maker/backup", "repository_url", "access_token")]
    [InlineData("github", "https://github.com/maker/backup?token=abc", "repository_url", "query")]
    [InlineData("github", "https://github.com/maker", "repository_url", "owner")]
    [InlineData("github", "https://github.com/maker/backup/tree/main", "repository_url", "owner")]
    [InlineData("gitea", "https://gitea.example.com/", "repository_url", "owner")]
    [InlineData("github", "ftp://github.com/maker/backup", "repository_url", "https://")]
    [InlineData("github", "", "repository_url", "required")]
    [InlineData("github", "http://ghe.lan/maker/backup", "allow_insecure_http", "http://")]
    [InlineData("bitbucket", "https://bitbucket.org/maker/backup", "provider", "github, gitlab")]
    public void UrlsBreakingARuleAreRefusedNamingTheField(string provider, string url, string field, string reasonPart)
    {
        var refused = Assert.Throws<RepositoryUrlException>(() => RepositoryAddress.Parse(provider, url, allowInsecureHttp: false));

        Assert.Equal(field, refused.ParamName);
        Assert.Contains(reasonPart, refused.Reason);
        Assert.DoesNotContain("ghp_secret", refused.Message);
    }

    [Fact]
    public void PlainHttpIsAcceptedWhenAllowedAndKeepsItsScheme()
    {
        var address = RepositoryAddress.Parse("github", "http://127.0.0.1:3000/maker/backup", allowInsecureHttp: true);

        Assert.Equal("http://127.0.0.1:3000/api/v3", address.ApiBase);
        Assert.Equal("http://127.0.0.1:3000/maker/backup.git", address.CloneUrl);
    }

    [Fact]
    public void ResolveRemoteAppendsGitAndNamesTheProvidersUser()
    {
        var hosting = new GitHosting(new HttpClient(), Microsoft.Extensions.Options.Options.Create(new GitHostingOptions()), new CapturingLogger<GitHosting>());

        Assert.Equal(new Model.GitRemote("https://gitlab.com/a/b/c.git", "oauth2"), hosting.ResolveRemote("GitLab", "https://gitlab.com/a/b/c", false));
        Assert.Equal(new Model.GitRemote("https://github.com/a/b.git", "x-access-token"), hosting.ResolveRemote("github", "https://github.com/a/b.git", false));
        Assert.Throws<RepositoryUrlException>(() => hosting.ResolveRemote("gitea", "git@example.com:a/b.git", false));
    }
}
