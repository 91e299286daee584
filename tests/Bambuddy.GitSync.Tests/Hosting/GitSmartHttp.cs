using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Bambuddy.GitSync.Tests.Hosting;

/// <summary>
/// Git's smart HTTP for a stand-in: the real <c>git http-backend</c> run as CGI per request, behind Basic auth where
/// any user name goes and the password must be the token, as the hosted providers do.
/// </summary>
public static class GitSmartHttp
{
    public static bool IsGitRequest(HttpRequest request) =>
        request.Path.Value is { } path && (path.Contains(".git/", StringComparison.Ordinal) || path.EndsWith("/info/refs", StringComparison.Ordinal)
            || path.EndsWith("/git-upload-pack", StringComparison.Ordinal) || path.EndsWith("/git-receive-pack", StringComparison.Ordinal));

    public static async Task ServeAsync(HttpContext context, string projectRoot, string token)
    {
        var user = CheckBasic(context.Request.Headers.Authorization.ToString(), token);
        if (user is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"git\"";
            return;
        }

        var info = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("http-backend");
        var request = context.Request;
        info.Environment["GIT_PROJECT_ROOT"] = projectRoot;
        info.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        info.Environment["REQUEST_METHOD"] = request.Method;
        info.Environment["PATH_INFO"] = request.Path.Value;
        info.Environment["QUERY_STRING"] = request.QueryString.HasValue ? request.QueryString.Value![1..] : "";
        info.Environment["CONTENT_TYPE"] = request.ContentType ?? "";
        info.Environment["REMOTE_USER"] = user;
        info.Environment["REMOTE_ADDR"] = "127.0.0.1";
        if (request.ContentLength is { } length)
        {
            info.Environment["CONTENT_LENGTH"] = length.ToString();
        }

        if (request.Headers.ContentEncoding.ToString() is { Length: > 0 } encoding)
        {
            info.Environment["HTTP_CONTENT_ENCODING"] = encoding;
        }

        if (request.Headers["Git-Protocol"].ToString() is { Length: > 0 } protocol)
        {
            info.Environment["GIT_PROTOCOL"] = protocol;
        }

        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync();
        await request.Body.CopyToAsync(process.StandardInput.BaseStream);
        process.StandardInput.Close();

        var output = process.StandardOutput.BaseStream;
        foreach (var line in await ReadHeaderAsync(output))
        {
            var colon = line.IndexOf(':');
            var (name, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = int.Parse(value.Split(' ')[0]);
            }
            else
            {
                context.Response.Headers.Append(name, value);
            }
        }

        await output.CopyToAsync(context.Response.Body);
        await process.WaitForExitAsync();
        await errors;
    }

    private static string? CheckBasic(string authorization, string token)
    {
        if (!authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return null;
        }

        var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..]));
        var colon = pair.IndexOf(':');
        return colon > 0 && pair[(colon + 1)..] == token ? pair[..colon] : null;
    }

    /// <summary>The CGI header block, up to the blank line, read byte by byte so the body stays in the stream.</summary>
    private static async Task<List<string>> ReadHeaderAsync(Stream output)
    {
        var lines = new List<string>();
        var line = new List<byte>();
        var one = new byte[1];
        while (await output.ReadAsync(one) == 1)
        {
            if (one[0] == '\n')
            {
                var text = Encoding.ASCII.GetString([.. line]).TrimEnd('\r');
                if (text.Length == 0)
                {
                    break;
                }

                lines.Add(text);
                line.Clear();
            }
            else
            {
                line.Add(one[0]);
            }
        }

        return lines;
    }

    /// <summary>A bare repository at <paramref name="path"/> under the root, with one empty commit on each branch named.</summary>
    public static async Task CreateRepositoryAsync(string projectRoot, string path, IReadOnlyList<string> branches)
    {
        var bare = Path.Combine(projectRoot, path.TrimStart('/'));
        Directory.CreateDirectory(bare);
        await GitAsync(bare, null, "init", "--bare", "--quiet");
        if (branches.Count == 0)
        {
            return;
        }

        var tree = (await GitAsync(bare, "", "mktree")).Trim();
        var commit = (await GitAsync(bare, null, "commit-tree", tree, "-m", "first")).Trim();
        foreach (var branch in branches)
        {
            await GitAsync(bare, null, "update-ref", "refs/heads/" + branch, commit);
        }
    }

    private static async Task<string> GitAsync(string directory, string? input, params string[] arguments)
    {
        var info = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in new[] { ("GIT_AUTHOR_NAME", "Test"), ("GIT_AUTHOR_EMAIL", "test@example.com"), ("GIT_COMMITTER_NAME", "Test"), ("GIT_COMMITTER_EMAIL", "test@example.com") })
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {error}");
    }
}
