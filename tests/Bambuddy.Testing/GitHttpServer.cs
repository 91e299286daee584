using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bambuddy.Testing;

/// <summary>
/// A real smart-HTTP git server for tests: <c>git http-backend</c> run as CGI for each request behind a small
/// Kestrel host on 127.0.0.1 (a free port), serving bare repositories under its own temp folder. It checks
/// Basic auth as the hosting providers do for git over HTTPS: any user name, password = <see cref="Token"/>.
/// Each CGI process is its own child, waited for (and killed when its request is aborted); disposing stops
/// the host and deletes the folder.
/// </summary>
public sealed class GitHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory _root;
    private int _refusals;
    private int _requests;

    private GitHttpServer(WebApplication app, TempDirectory root, string token)
    {
        _app = app;
        _root = root;
        Token = token;
    }

    /// <summary>The password every request must carry; change it to make the server refuse the old one.</summary>
    public string Token { get; set; }

    /// <summary>Where the bare repositories are (<c>{Root}/{name}.git</c>).</summary>
    public string Root => _root.Path;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Requests refused for a missing or wrong token so far.</summary>
    public int Refusals => Volatile.Read(ref _refusals);

    public int Requests => Volatile.Read(ref _requests);

    /// <param name="token">The password every request must carry.</param>
    /// <param name="certificate">Serve HTTPS with this certificate (e.g. <see cref="CreateSelfSignedCertificate"/>); plain HTTP when null.</param>
    public static async Task<GitHttpServer> StartAsync(string token, CancellationToken cancellationToken, X509Certificate2? certificate = null)
    {
        var root = new TempDirectory("bambuddy-git-");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
            kestrel.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var server = new GitHttpServer(app, root, token);
        app.Run(server.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            root.Dispose();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    /// <summary>A self-signed certificate for 127.0.0.1 and localhost, valid for a day.</summary>
    public static X509Certificate2 CreateSelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel needs the private key in a form the platform can use: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The clone URL of a repository: <c>http://127.0.0.1:port/{name}.git</c>.</summary>
    public string RepositoryUrl(string name) => new Uri(BaseUrl, name + ".git").ToString();

    /// <summary>The bare repository's folder.</summary>
    public string RepositoryPath(string name) => Path.Combine(Root, name + ".git");

    /// <summary>
    /// Creates an empty bare repository that accepts pushes and, like the hosting providers, refuses a
    /// non-fast-forward update whatever the client says.
    /// </summary>
    public async Task<string> CreateBareRepositoryAsync(string name, CancellationToken cancellationToken)
    {
        var path = RepositoryPath(name);
        await RunGitAsync(Root, cancellationToken, "init", "--bare", "--quiet", "--initial-branch=main", path);
        await RunGitAsync(path, cancellationToken, "config", "http.receivepack", "true");
        await RunGitAsync(path, cancellationToken, "config", "receive.denyNonFastForwards", "true");
        return RepositoryUrl(name);
    }

    /// <summary>Runs git in a bare repository and returns its standard output; throws when git fails.</summary>
    public Task<string> GitAsync(string name, CancellationToken cancellationToken, params string[] arguments) =>
        RunGitAsync(RepositoryPath(name), cancellationToken, arguments);

    /// <summary>The commits of a branch, newest first: (sha, subject). Empty when the branch does not exist.</summary>
    public async Task<IReadOnlyList<(string Sha, string Subject)>> LogAsync(string name, string branch, CancellationToken cancellationToken)
    {
        var heads = await GitAsync(name, cancellationToken, "for-each-ref", "--format=%(refname)", "refs/heads/");
        if (!heads.Split('\n').Contains($"refs/heads/{branch}"))
        {
            return [];
        }

        var log = await GitAsync(name, cancellationToken, "log", "--format=%H %s", branch);
        return [.. log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => (line[..40], line[41..]))];
    }

    /// <summary>The files of a commit (or branch), ordered by path, with their bytes.</summary>
    public async Task<SortedDictionary<string, byte[]>> ReadTreeAsync(string name, string revision, CancellationToken cancellationToken)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        var listing = await GitAsync(name, cancellationToken, "ls-tree", "-r", "-z", "--format=%(objectname) %(path)", revision);
        foreach (var entry in listing.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            files[entry[41..]] = await RunGitBytesAsync(RepositoryPath(name), cancellationToken, "cat-file", "blob", entry[..40]);
        }

        return files;
    }

    /// <summary>Every object in the repository (every blob of every commit, trees, commit messages), decompressed, concatenated.</summary>
    public Task<byte[]> ReadAllObjectsAsync(string name, CancellationToken cancellationToken) =>
        RunGitBytesAsync(RepositoryPath(name), cancellationToken, "cat-file", "--batch-all-objects", "--batch", "--unordered");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _root.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        if (!Authorized(context.Request, out var user))
        {
            Interlocked.Increment(ref _refusals);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"git\"";
            return;
        }

        context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize = null;
        var request = context.Request;
        var info = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("http-backend");
        info.Environment["GIT_PROJECT_ROOT"] = Root;
        info.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        info.Environment["REQUEST_METHOD"] = request.Method;
        info.Environment["PATH_INFO"] = request.Path.Value ?? "/";
        info.Environment["QUERY_STRING"] = request.QueryString.HasValue ? request.QueryString.Value![1..] : "";
        info.Environment["CONTENT_TYPE"] = request.ContentType ?? "";
        info.Environment["REMOTE_USER"] = user;
        info.Environment["REMOTE_ADDR"] = context.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1";
        if (request.ContentLength is { } length)
        {
            info.Environment["CONTENT_LENGTH"] = length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (request.Headers.ContentEncoding.Count > 0)
        {
            info.Environment["HTTP_CONTENT_ENCODING"] = request.Headers.ContentEncoding.ToString();
        }

        if (request.Headers.TryGetValue("Git-Protocol", out var protocol))
        {
            info.Environment["GIT_PROTOCOL"] = protocol.ToString();
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start git http-backend.");
        var aborted = context.RequestAborted;
        await using var killOnAbort = aborted.Register(() =>
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
            }
        });
        var errors = process.StandardError.ReadToEndAsync(aborted);
        var input = Task.Run(async () =>
        {
            await request.Body.CopyToAsync(process.StandardInput.BaseStream, aborted);
            process.StandardInput.Close();
        }, aborted);

        var output = process.StandardOutput.BaseStream;
        var (status, headers, rest) = await ReadCgiHeadersAsync(output, aborted);
        context.Response.StatusCode = status;
        foreach (var (key, value) in headers)
        {
            context.Response.Headers.Append(key, value);
        }

        await context.Response.Body.WriteAsync(rest, aborted);
        await output.CopyToAsync(context.Response.Body, aborted);
        await input;
        await errors;
        await process.WaitForExitAsync(aborted);
    }

    private bool Authorized(HttpRequest request, out string user)
    {
        user = "";
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':');
        if (colon < 0 || decoded[(colon + 1)..] != Token)
        {
            return false;
        }

        user = decoded[..colon];
        return true;
    }

    /// <summary>The CGI header block (a <c>Status:</c> line when not 200), and the body bytes read past it.</summary>
    private static async Task<(int Status, List<(string, string)> Headers, byte[] Body)> ReadCgiHeadersAsync(Stream output, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        while (true)
        {
            var read = await output.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                break;
            }

            buffer.Write(chunk, 0, read);
            if (FindHeaderEnd(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) >= 0)
            {
                break;
            }
        }

        var bytes = buffer.ToArray();
        var (end, separator) = FindHeaderEndWithLength(bytes);
        if (end < 0)
        {
            return (StatusCodes.Status502BadGateway, [], []);
        }

        var status = StatusCodes.Status200OK;
        var headers = new List<(string, string)>();
        foreach (var line in Encoding.ASCII.GetString(bytes, 0, end).Split('\n'))
        {
            var trimmed = line.TrimEnd('\r');
            var colon = trimmed.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            var key = trimmed[..colon].Trim();
            var value = trimmed[(colon + 1)..].Trim();
            if (key.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                status = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                headers.Add((key, value));
            }
        }

        return (status, headers, bytes[(end + separator)..]);
    }

    private static int FindHeaderEnd(ReadOnlySpan<byte> bytes) => FindHeaderEndWithLength(bytes).End;

    private static (int End, int Separator) FindHeaderEndWithLength(ReadOnlySpan<byte> bytes)
    {
        var crlf = bytes.IndexOf("\r\n\r\n"u8);
        var lf = bytes.IndexOf("\n\n"u8);
        return (crlf, lf) switch
        {
            (< 0, < 0) => (-1, 0),
            (>= 0, < 0) => (crlf, 4),
            (< 0, >= 0) => (lf, 2),
            _ => crlf < lf ? (crlf, 4) : (lf, 2),
        };
    }

    /// <summary>Runs the git command line in a folder and returns its standard output; throws when git fails.</summary>
    public static async Task<string> RunGitAsync(string workingDirectory, CancellationToken cancellationToken, params string[] arguments) =>
        Encoding.UTF8.GetString(await RunGitBytesAsync(workingDirectory, cancellationToken, arguments));

    private static async Task<byte[]> RunGitBytesAsync(string workingDirectory, CancellationToken cancellationToken, params string[] arguments)
    {
        var info = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start git.");
        using var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        await copy;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        }

        return output.ToArray();
    }
}
