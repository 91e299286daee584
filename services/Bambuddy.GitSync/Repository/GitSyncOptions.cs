namespace Bambuddy.GitSync.Repository;

/// <summary>Settings of the git sync (section <c>GitSync</c>).</summary>
public sealed class GitSyncOptions
{
    public const string Section = "GitSync";

    /// <summary>
    /// Accept a TLS certificate that does not validate (a self-signed test server). Off by default: a
    /// repository host whose certificate does not check out is refused.
    /// </summary>
    public bool AcceptInvalidCertificates { get; set; }
}
