using System.Security.Cryptography;
using Bambuddy.Contracts;
using Bambuddy.Core.Jobs;
using Bambuddy.Core.Secrets;
using Bambuddy.GitSync.Model;
using MassTransit;

namespace Bambuddy.GitSync.Consumers;

/// <summary>Test Connection: decrypts the token, asks the provider (<see cref="IGitHosting.TestAsync"/>), publishes the report.</summary>
public sealed class TestGitConnectionConsumer(JobLedger ledger, SecretProtector secrets, IGitHosting hosting, TimeProvider time)
    : IConsumer<TestGitConnection>
{
    public async Task Consume(ConsumeContext<TestGitConnection> context)
    {
        var command = context.Message;
        var ct = context.CancellationToken;
        if (await ledger.HasEndedAsync(command.JobId, ct))
        {
            return;
        }

        var target = command.Target;
        GitConnectionReport report;
        try
        {
            var token = secrets.Unprotect(target.ProtectedAccessToken);
            report = await hosting.TestAsync(target.Provider, target.RepositoryUrl, target.Branch, target.AllowInsecureHttp, token, ct);
        }
        catch (CryptographicException)
        {
            report = new GitConnectionReport(false, "The stored access token cannot be decrypted with this key ring; enter the token again.", null, null, null, "unauthorized");
        }
        catch (ArgumentException ex)
        {
            report = new GitConnectionReport(false, ex.Message, null, null, null, "invalid_url");
        }

        await context.Publish(new GitConnectionTested(command.JobId, report.Success, report.Message, report.RepoName, report.Permissions,
            report.IsPrivate, time.GetUtcNow()), ct);
    }
}
