using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Bambuddy.GitSync.KProfiles;
using Bambuddy.Testing;
using MQTTnet;

namespace Bambuddy.GitSync.Tests.KProfiles;

/// <summary>
/// A Bambu printer as its LAN MQTT shows it, on a real broker: it reads <c>device/{serial}/request</c> and answers
/// <c>extrusion_cali_get</c> on <c>device/{serial}/report</c>, with the quirks real printers have.
/// </summary>
public sealed class SimulatedPrinter : IAsyncDisposable
{
    private const string Command = "extrusion_cali_get";

    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly ConcurrentQueue<JsonObject> _requests = new();
    private int _seen;

    public required string Serial { get; init; }

    /// <summary>The profiles per nozzle diameter; a diameter not named is answered with an empty list.</summary>
    public Dictionary<string, JsonArray> Profiles { get; } = [];

    /// <summary>Drop the first request after connecting, as printers do.</summary>
    public bool IgnoresFirstRequest { get; init; }

    /// <summary>Before each answer, broadcast an unsolicited answer for another diameter (its own sequence id).</summary>
    public bool BroadcastsAnotherDiameterFirst { get; init; }

    /// <summary>Diameters it never answers.</summary>
    public HashSet<string> Silent { get; } = [];

    /// <summary>Whether it answers without <c>sequence_id</c> (matching by diameter alone).</summary>
    public bool OmitsSequenceId { get; init; }

    public IReadOnlyList<JsonObject> Requests => [.. _requests];

    /// <summary>Connects to the broker as the printer's own firmware would and starts answering.</summary>
    public async Task<SimulatedPrinter> ConnectAsync(MosquittoServer broker, string accessCode, CancellationToken cancellationToken)
    {
        var client = _client;
        var serial = Serial;
        client.ApplicationMessageReceivedAsync += e =>
        {
            var request = JsonNode.Parse(e.ApplicationMessage.ConvertPayloadToString())!.AsObject();
            // Answer off the client's receive loop.
            _ = Task.Run(() => AnswerAsync(request));
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithCredentials("bblp", accessCode)
            .WithClientId($"printer-{serial}")
            .WithTlsOptions(tls => tls.UseTls(true).WithCertificateValidationHandler(_ => true))
            .Build();
        await client.ConnectAsync(options, cancellationToken);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"device/{serial}/request").Build(), cancellationToken);
        return this;
    }

    public static JsonObject Filament(int caliIdx, string name, string kValue, string filamentId, string settingId, string nCoef = "1.400000", int extruderId = 0) => new()
    {
        ["cali_idx"] = caliIdx,
        ["filament_id"] = filamentId,
        ["setting_id"] = settingId,
        ["name"] = name,
        ["k_value"] = kValue,
        ["n_coef"] = nCoef,
        ["tray_id"] = -1,
        ["nozzle_id"] = "HS00-0.4",
        ["extruder_id"] = extruderId,
    };

    private async Task AnswerAsync(JsonObject request)
    {
        _requests.Enqueue(request);
        if (request["print"] is not JsonObject print || (string?)print["command"] != Command)
        {
            return;
        }

        var diameter = (string)print["nozzle_diameter"]!;
        if ((Interlocked.Increment(ref _seen) == 1 && IgnoresFirstRequest) || Silent.Contains(diameter))
        {
            return;
        }

        if (BroadcastsAnotherDiameterFirst)
        {
            var other = MqttKProfileSource.NozzleDiameters.First(candidate => candidate != diameter);
            await PublishAnswerAsync(other, "77777");
        }

        await PublishAnswerAsync(diameter, OmitsSequenceId ? null : (string?)print["sequence_id"]);
    }

    private async Task PublishAnswerAsync(string diameter, string? sequenceId)
    {
        var print = new JsonObject
        {
            ["command"] = Command,
            ["filaments"] = Profiles.TryGetValue(diameter, out var profiles) ? profiles.DeepClone() : new JsonArray(),
            ["nozzle_diameter"] = diameter,
            ["reason"] = "success",
            ["result"] = "success",
        };
        if (sequenceId is not null)
        {
            print["sequence_id"] = sequenceId;
        }

        var payload = new JsonObject { ["print"] = print }.ToJsonString();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"device/{Serial}/report").WithPayload(payload).Build(), timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token);
        }
        catch (Exception)
        {
        }

        _client.Dispose();
    }
}
