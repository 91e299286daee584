using System.Text.Json;
using Bambuddy.Contracts;

namespace Bambuddy.Scheduler.Jobs;

/// <summary>The commands a job row can carry, so the relay can publish a row it finds unpublished.</summary>
public static class JobCommands
{
    private static readonly Dictionary<string, Type> Types = new[]
    {
        typeof(CreateLocalBackup), typeof(RunGitBackup), typeof(TestGitConnection), typeof(RestoreBackup),
    }.ToDictionary(t => t.Name);

    public static string TypeName(object command)
        => Types.ContainsKey(command.GetType().Name) ? command.GetType().Name
            : throw new ArgumentException($"{command.GetType().Name} is not a job command.", nameof(command));

    public static string Serialize(object command) => JsonSerializer.Serialize(command, command.GetType());

    public static (object Command, Type Type) Deserialize(string typeName, string json)
    {
        var type = Types.GetValueOrDefault(typeName) ?? throw new InvalidOperationException($"Unknown job command type '{typeName}'.");
        return (JsonSerializer.Deserialize(json, type)!, type);
    }
}
