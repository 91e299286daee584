using System.Text.Json.Nodes;
using Bambuddy.Contracts;
using Bambuddy.Scheduler.Jobs;
using MassTransit;

namespace Bambuddy.Scheduler.Consumers;

public sealed class LocalBackupCompletedConsumer(JobStore store, BackupFreshness freshness) : IConsumer<LocalBackupCompleted>
{
    public async Task Consume(ConsumeContext<LocalBackupCompleted> context)
    {
        var m = context.Message;
        var result = new JsonObject
        {
            ["filename"] = m.FileName,
            ["size"] = m.Size,
            ["sha256"] = m.Sha256,
            ["locations"] = new JsonArray([.. m.Locations.Select(l => JsonValue.Create(l))]),
            ["message"] = m.Message,
        };
        if (await store.SucceedAsync(m.JobId, result, [], context.CancellationToken)
            && (await store.GetAsync(m.JobId, context.CancellationToken))?.Kind == JobKinds.LocalBackup)
        {
            freshness.Succeeded(m.CompletedAt);
        }
    }
}
