using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using Bambuddy.Core.Bambuddy;
using Bambuddy.GitSync.Model;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;

namespace Bambuddy.GitSync.KProfiles;

/// <summary>
/// Reads K-profiles over each printer's LAN MQTT (TLS, user <c>bblp</c>, password the access code), printers in
/// parallel, the whole read bounded in time. A printer that is offline, refuses the login or does not answer is
/// skipped and named, never fatal.
/// </summary>
public sealed partial class MqttKProfileSource(IOptions<KProfileOptions> options, ILogger<MqttKProfileSource> logger) : IKProfileSource
{
    public static readonly IReadOnlyList<string> NozzleDiameters = ["0.2", "0.4", "0.6", "0.8"];

    private const string UserName = "bblp";

    private readonly MqttClientFactory _factory = new();

    public async Task<KProfileReadResult> ReadAsync(IReadOnlyList<BambuddyPrinter> printers, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var active = printers.Where(printer => printer.IsActive).ToArray();
        var outcomes = new PrinterOutcome[active.Length];
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        overall.CancelAfter(settings.PrinterReadTimeout);

        await Parallel.ForEachAsync(
            Enumerable.Range(0, active.Length),
            new ParallelOptions { MaxDegreeOfParallelism = settings.PrinterParallelism, CancellationToken = cancellationToken },
            async (index, _) => outcomes[index] = await ReadPrinterAsync(active[index], settings, overall.Token, cancellationToken));

        return new KProfileReadResult(
            [.. outcomes.SelectMany(outcome => outcome.Files)],
            [.. outcomes.SelectMany(outcome => outcome.Skipped)]);
    }

    private async Task<PrinterOutcome> ReadPrinterAsync(BambuddyPrinter printer, KProfileOptions settings, CancellationToken overall, CancellationToken cancellationToken)
    {
        var label = $"{printer.Name} ({printer.SerialNumber})";
        var answers = new KProfileAnswers();
        using var client = _factory.CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            answers.OnReport(e.ApplicationMessage.Payload);
            return Task.CompletedTask;
        };

        try
        {
            if (await ConnectAsync(client, printer, settings, overall) is { } refused)
            {
                return Skip(printer, label, refused);
            }

            await client.SubscribeAsync(
                _factory.CreateSubscribeOptionsBuilder().WithTopicFilter($"device/{printer.SerialNumber}/report").Build(), overall);

            var files = new List<PrinterKProfiles>();
            var unanswered = new List<string>();
            var sequence = 0;
            foreach (var diameter in NozzleDiameters)
            {
                var answer = await AskAsync(client, answers, printer.SerialNumber, diameter, () => (++sequence).ToString(CultureInfo.InvariantCulture), settings, overall);
                if (answer is null)
                {
                    unanswered.Add(diameter);
                    continue;
                }

                var profiles = (answer["filaments"] as JsonArray ?? []).Select(ToEntry).OfType<KProfileEntry>().ToArray();
                if (profiles.Length > 0)
                {
                    files.Add(new PrinterKProfiles(printer.Name, printer.SerialNumber, diameter, profiles));
                }
            }

            await DisconnectQuietlyAsync(client);
            if (unanswered.Count == NozzleDiameters.Count)
            {
                return Skip(printer, label, $"did not answer the K-profile requests ({settings.KProfileRequestAttempts} attempts each)");
            }

            LogPrinterRead(printer.Name, printer.SerialNumber, files.Sum(file => file.Profiles.Count), files.Count);
            if (unanswered.Count > 0)
            {
                // Partial: the answered diameters are kept, and the gap is named so nobody reads it as "no profiles".
                var reason = $"no answer for nozzle {string.Join(", ", unanswered)}";
                LogPrinterSkipped(printer.Name, printer.SerialNumber, reason);
                return new PrinterOutcome(files, [$"{label}: {reason}"]);
            }

            return new PrinterOutcome(files, []);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Skip(printer, label, $"not read within {settings.PrinterReadTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is MqttCommunicationException or SocketException or IOException or AuthenticationException)
        {
            return Skip(printer, label, $"connection lost ({Describe(ex)})");
        }
    }

    /// <summary>Connects; null when connected, else why not (never naming the access code).</summary>
    private async Task<string?> ConnectAsync(IMqttClient client, BambuddyPrinter printer, KProfileOptions settings, CancellationToken overall)
    {
        var clientOptions = new MqttClientOptionsBuilder()
            .WithTcpServer(printer.IpAddress, settings.PrinterMqttPort)
            .WithCredentials(UserName, printer.AccessCode)
            .WithClientId($"bambuddy-backup-{Guid.NewGuid():N}")
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession()
            .WithTimeout(settings.PrinterConnectTimeout)
            // Printers present a self-signed certificate for their serial; Bambuddy accepts it as is, so do we.
            .WithTlsOptions(tls => tls.UseTls(true).WithCertificateValidationHandler(_ => true))
            .Build();

        using var connect = CancellationTokenSource.CreateLinkedTokenSource(overall);
        connect.CancelAfter(settings.PrinterConnectTimeout);
        try
        {
            var result = await client.ConnectAsync(clientOptions, connect.Token);
            return result.ResultCode == MqttClientConnectResultCode.Success ? null : Refusal(result.ResultCode);
        }
        catch (MqttConnectingFailedException ex)
        {
            // Its message names the broker's reason code, never the credentials.
            return ex.Message.Contains(nameof(MqttClientConnectResultCode.BadUserNameOrPassword), StringComparison.Ordinal)
                || ex.Message.Contains(nameof(MqttClientConnectResultCode.NotAuthorized), StringComparison.Ordinal)
                    ? Refusal(MqttClientConnectResultCode.BadUserNameOrPassword)
                    : $"refused the connection ({Describe(ex)})";
        }
        catch (OperationCanceledException) when (connect.IsCancellationRequested && !overall.IsCancellationRequested)
        {
            return $"offline: no connection to {printer.IpAddress}:{settings.PrinterMqttPort} within {settings.PrinterConnectTimeout.TotalSeconds:0.#} s";
        }
        catch (Exception ex) when (ex is MqttCommunicationException or SocketException or IOException or AuthenticationException)
        {
            return $"offline: cannot connect to {printer.IpAddress}:{settings.PrinterMqttPort} ({Describe(ex)})";
        }
    }

    private static async Task<JsonObject?> AskAsync(IMqttClient client, KProfileAnswers answers, string serial, string diameter,
        Func<string> nextSequenceId, KProfileOptions settings, CancellationToken overall)
    {
        var topic = $"device/{serial}/request";
        for (var attempt = 1; attempt <= settings.KProfileRequestAttempts; attempt++)
        {
            var sequenceId = nextSequenceId();
            var answer = answers.Expect(diameter, sequenceId);
            await client.PublishAsync(
                new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(KProfileAnswers.Request(diameter, sequenceId)).Build(), overall);
            try
            {
                return await answer.WaitAsync(settings.KProfileRequestTimeout, overall);
            }
            catch (TimeoutException)
            {
                // Printers may ignore a request, the first after connecting above all: ask again.
            }
        }

        answers.Forget(diameter);
        return null;
    }

    private static KProfileEntry? ToEntry(JsonNode? node) => node is JsonObject filament
        ? new KProfileEntry(
            Number(filament["cali_idx"]),
            KProfileAnswers.Text(filament["name"]) ?? "",
            KProfileAnswers.Text(filament["k_value"]) ?? "",
            KProfileAnswers.Text(filament["filament_id"]) ?? "",
            KProfileAnswers.Text(filament["nozzle_id"]) ?? "",
            Number(filament["extruder_id"]),
            KProfileAnswers.Text(filament["setting_id"]) ?? "",
            KProfileAnswers.Text(filament["n_coef"]) ?? "")
        : null;

    private static int Number(JsonNode? node) =>
        int.TryParse(KProfileAnswers.Text(node), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static string Refusal(MqttClientConnectResultCode code) => code switch
    {
        MqttClientConnectResultCode.BadUserNameOrPassword or MqttClientConnectResultCode.NotAuthorized =>
            "refused the login: wrong access code (user bblp)",
        _ => $"refused the connection ({code})",
    };

    private static string Describe(Exception ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException socket:
                    return socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "connection refused",
                        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
                        SocketError.TimedOut => "timed out",
                        SocketError.HostNotFound or SocketError.NoData => "unknown host",
                        var other => other.ToString(),
                    };
                case AuthenticationException:
                    return "TLS handshake failed";
            }
        }

        return ex.GetType().Name;
    }

    private static async Task DisconnectQuietlyAsync(IMqttClient client)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token);
        }
        catch (Exception ex) when (ex is MqttCommunicationException or OperationCanceledException or IOException or SocketException)
        {
            // The profiles are read; a printer closing first does not matter.
        }
    }

    private PrinterOutcome Skip(BambuddyPrinter printer, string label, string reason)
    {
        LogPrinterSkipped(printer.Name, printer.SerialNumber, reason);
        return new PrinterOutcome([], [$"{label}: {reason}"]);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Profiles} K-profiles in {Files} nozzle sizes from printer {PrinterName} ({Serial})")]
    private partial void LogPrinterRead(string printerName, string serial, int profiles, int files);

    [LoggerMessage(Level = LogLevel.Warning, Message = "K-profiles of printer {PrinterName} ({Serial}) skipped: {Reason}")]
    private partial void LogPrinterSkipped(string printerName, string serial, string reason);

    private sealed record PrinterOutcome(IReadOnlyList<PrinterKProfiles> Files, IReadOnlyList<string> Skipped);
}
