using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bambuddy.GitSync.KProfiles;

/// <summary>
/// The K-profile requests waiting for an answer from one printer. An answer is matched by its <c>sequence_id</c>,
/// else by its nozzle diameter: printers broadcast answers unsolicited, and may answer a resent request with an old id.
/// </summary>
internal sealed class KProfileAnswers
{
    public const string Command = "extrusion_cali_get";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Pending> _byDiameter = new(StringComparer.Ordinal);

    /// <summary>Registers a request (a resend adds its id to the diameter's wait) and gives the task its answer completes.</summary>
    public Task<JsonObject> Expect(string nozzleDiameter, string sequenceId)
    {
        lock (_lock)
        {
            if (!_byDiameter.TryGetValue(nozzleDiameter, out var pending))
            {
                pending = new Pending();
                _byDiameter[nozzleDiameter] = pending;
            }

            pending.SequenceIds.Add(sequenceId);
            return pending.Answer.Task;
        }
    }

    public void Forget(string nozzleDiameter)
    {
        lock (_lock)
        {
            _byDiameter.Remove(nozzleDiameter);
        }
    }

    /// <summary>Looks at one report message; anything that is not a K-profile answer is ignored.</summary>
    public void OnReport(ReadOnlySequence<byte> payload)
    {
        if (Parse(payload) is not { } print)
        {
            return;
        }

        var sequenceId = Text(print["sequence_id"]);
        var diameter = NormalizeDiameter(print["nozzle_diameter"]);
        lock (_lock)
        {
            var match = _byDiameter.FirstOrDefault(entry => sequenceId is not null && entry.Value.SequenceIds.Contains(sequenceId));
            if (match.Value is null && diameter is not null)
            {
                _byDiameter.TryGetValue(diameter, out var byDiameter);
                match = new KeyValuePair<string, Pending>(diameter, byDiameter!);
            }

            if (match.Value is { } pending)
            {
                _byDiameter.Remove(match.Key);
                pending.Answer.TrySetResult(print);
            }
        }
    }

    /// <summary>The request the printer understands, as Bambu Studio and Bambuddy send it.</summary>
    public static byte[] Request(string nozzleDiameter, string sequenceId) =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["print"] = new JsonObject
            {
                ["command"] = Command,
                ["filament_id"] = "",
                ["nozzle_diameter"] = nozzleDiameter,
                ["sequence_id"] = sequenceId,
            },
        });

    /// <summary><c>"0.40"</c>, <c>0.4</c> and <c>"0.4"</c> all name the 0.4 mm nozzle.</summary>
    public static string? NormalizeDiameter(JsonNode? node) =>
        Text(node) is { } text && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value.ToString("0.0###", CultureInfo.InvariantCulture)
            : null;

    /// <summary>A JSON string as is, a number as the printer wrote it, null for anything else.</summary>
    public static string? Text(JsonNode? node) => node switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => value.ToJsonString(),
        _ => null,
    };

    private static JsonObject? Parse(ReadOnlySequence<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            return JsonNode.Parse(ref reader) is JsonObject { } root
                && root["print"] is JsonObject print
                && Text(print["command"]) == Command
                    ? print
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed class Pending
    {
        public HashSet<string> SequenceIds { get; } = new(StringComparer.Ordinal);

        public TaskCompletionSource<JsonObject> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
