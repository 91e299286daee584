using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Bambuddy.Core.Bambuddy;
using Bambuddy.GitSync.KProfiles;
using Bambuddy.GitSync.Model;
using Bambuddy.Testing;
using Microsoft.Extensions.Options;

namespace Bambuddy.GitSync.Tests.KProfiles;

public sealed class MqttKProfileSourceTests(PrinterBrokerFixture fixture) : IClassFixture<PrinterBrokerFixture>
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);
    private static int s_serial;

    [Fact]
    public async Task AnsweredDiametersWithProfilesGiveOneFileEachWithThePrintersFields()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var printer = await NewPrinter().ConnectAsync(fixture.Broker, PrinterBrokerFixture.AccessCode, timeout.Token);
        printer.Profiles["0.4"] = [
            SimulatedPrinter.Filament(1, "Bambu PLA Basic", "0.020000", "GFA00", "GFSA00", "1.400000"),
            SimulatedPrinter.Filament(7, "Generic PETG", "0.045000", "GFG99", "", "1.000000", extruderId: 1)];
        printer.Profiles["0.6"] = [SimulatedPrinter.Filament(3, "Bambu PLA Matte", "0.012000", "GFA01", "GFSA01_02")];

        var result = await Source().ReadAsync([Printer(printer.Serial)], timeout.Token);

        Assert.Empty(result.Skipped);
        Assert.Equal(["0.4", "0.6"], result.Files.Select(file => file.NozzleDiameter).Order());
        var small = result.Files.Single(file => file.NozzleDiameter == "0.4");
        Assert.Equal("Printer " + printer.Serial, small.PrinterName);
        Assert.Equal(printer.Serial, small.PrinterSerial);
        Assert.Equal(
            [
                new KProfileEntry(1, "Bambu PLA Basic", "0.020000", "GFA00", "HS00-0.4", 0, "GFSA00", "1.400000"),
                new KProfileEntry(7, "Generic PETG", "0.045000", "GFG99", "HS00-0.4", 1, "", "1.000000"),
            ],
            small.Profiles);
        Assert.Equal("Bambu PLA Matte", Assert.Single(result.Files.Single(file => file.NozzleDiameter == "0.6").Profiles).Name);
    }

    [Fact]
    public async Task AFirstRequestTheFirmwareIgnoresIsSentAgain()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var printer = await NewPrinter(ignoresFirstRequest: true).ConnectAsync(fixture.Broker, PrinterBrokerFixture.AccessCode, timeout.Token);
        printer.Profiles["0.2"] = [SimulatedPrinter.Filament(2, "Bambu PLA Basic", "0.030000", "GFA00", "GFSA00")];

        var result = await Source().ReadAsync([Printer(printer.Serial)], timeout.Token);

        Assert.Empty(result.Skipped);
        Assert.Equal("0.2", Assert.Single(result.Files).NozzleDiameter);
        var asked = printer.Requests.Count(request => (string?)request["print"]!["nozzle_diameter"] == "0.2");
        Assert.Equal(2, asked);
    }

    [Fact]
    public async Task AnUnsolicitedBroadcastForAnotherDiameterIsNotTakenAsTheAnswer()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var printer = await NewPrinter(broadcastsFirst: true).ConnectAsync(fixture.Broker, PrinterBrokerFixture.AccessCode, timeout.Token);
        printer.Profiles["0.2"] = [SimulatedPrinter.Filament(1, "Small nozzle PLA", "0.050000", "GFA00", "GFSA00")];
        printer.Profiles["0.4"] = [SimulatedPrinter.Filament(2, "Standard nozzle PLA", "0.020000", "GFA00", "GFSA00")];

        var result = await Source().ReadAsync([Printer(printer.Serial)], timeout.Token);

        Assert.Empty(result.Skipped);
        Assert.Equal("Small nozzle PLA", Assert.Single(result.Files.Single(file => file.NozzleDiameter == "0.2").Profiles).Name);
        Assert.Equal("Standard nozzle PLA", Assert.Single(result.Files.Single(file => file.NozzleDiameter == "0.4").Profiles).Name);
        Assert.Equal(2, result.Files.Count);
    }

    [Fact]
    public async Task AnswersWithoutSequenceIdAreMatchedByNozzleDiameter()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var printer = await NewPrinter(omitsSequenceId: true).ConnectAsync(fixture.Broker, PrinterBrokerFixture.AccessCode, timeout.Token);
        printer.Profiles["0.8"] = [SimulatedPrinter.Filament(4, "Big nozzle PETG", "0.010000", "GFG00", "GFSG00")];

        var result = await Source().ReadAsync([Printer(printer.Serial)], timeout.Token);

        Assert.Equal("0.8", Assert.Single(result.Files).NozzleDiameter);
        Assert.Empty(result.Skipped);
    }

    [Fact]
    public async Task AWrongAccessCodeSkipsThePrinterWithTheReasonAndNeverShowsTheCode()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var logger = new CapturingLogger<MqttKProfileSource>();
        const string wrongCode = "27182818";

        var result = await Source(logger: logger).ReadAsync([Printer("01P00A000000001", wrongCode)], timeout.Token);

        Assert.Empty(result.Files);
        var skipped = Assert.Single(result.Skipped);
        Assert.Contains("01P00A000000001", skipped);
        Assert.Contains("access code", skipped);
        Assert.DoesNotContain(wrongCode, skipped);
        Assert.NotEmpty(logger.Lines);
        Assert.DoesNotContain(logger.Lines, line => line.Contains(wrongCode) || line.Contains(PrinterBrokerFixture.AccessCode));
    }

    [Fact]
    public async Task AnOfflinePrinterIsSkippedAsOffline()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var closedPort = ClosedPort();

        var result = await Source(port: closedPort).ReadAsync([Printer("01P00A000000002")], timeout.Token);

        Assert.Empty(result.Files);
        var skipped = Assert.Single(result.Skipped);
        Assert.Contains("offline", skipped);
        Assert.Contains("connection refused", skipped);
    }

    [Fact]
    public async Task APrinterThatAcceptsTcpButNeverSpeaksTlsIsSkippedAtTheConnectTimeout()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        // The kernel completes the TCP handshake for the backlog; nobody ever answers the TLS hello.
        using var mute = new TcpListener(IPAddress.Loopback, 0);
        mute.Start();

        var result = await Source(port: ((IPEndPoint)mute.LocalEndpoint).Port, connectTimeout: TimeSpan.FromSeconds(1))
            .ReadAsync([Printer("01P00A000000003")], timeout.Token);

        Assert.Empty(result.Files);
        Assert.Contains("within 1 s", Assert.Single(result.Skipped));
    }

    [Fact]
    public async Task APrinterThatNeverAnswersIsSkippedAndOneThatAnswersOnlySomeIsNamedForTheRest()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var mute = NewPrinter();
        foreach (var diameter in MqttKProfileSource.NozzleDiameters)
        {
            mute.Silent.Add(diameter);
        }

        await using var silent = await mute.ConnectAsync(fixture.Broker, PrinterBrokerFixture.AccessCode, timeout.Token);
        var partly = NewPrinter();
        partly.Silent.Add("0.8");
        partly.Profiles["0.4"] = [SimulatedPrinter.Filament(1, "Bambu PLA Basic", "0.020000", "GFA00", "GFSA00")];
        await using var partial = await partly.ConnectAsync(fixture.Broker, PrinterBrokerFixture.AccessCode, timeout.Token);

        var result = await Source().ReadAsync([Printer(silent.Serial), Printer(partial.Serial)], timeout.Token);

        Assert.Equal(partial.Serial, Assert.Single(result.Files).PrinterSerial);
        Assert.Contains(result.Skipped, line => line.Contains(silent.Serial) && line.Contains("did not answer"));
        Assert.Contains(result.Skipped, line => line.Contains(partial.Serial) && line.Contains("no answer for nozzle 0.8"));
    }

    [Fact]
    public async Task OfTwoPrintersOneOfflineTheAnsweringOnesFilesArePresent()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var online = await NewPrinter().ConnectAsync(fixture.Broker, PrinterBrokerFixture.AccessCode, timeout.Token);
        online.Profiles["0.4"] = [SimulatedPrinter.Filament(1, "Bambu PLA Basic", "0.020000", "GFA00", "GFSA00")];
        online.Profiles["0.6"] = [SimulatedPrinter.Filament(2, "Bambu PETG HF", "0.030000", "GFG02", "GFSG02")];
        // The broker listens on 127.0.0.1 only: the same port on 127.0.0.2 refuses, like a printer that is switched off.
        var offline = Printer("01P00A000000004") with { IpAddress = "127.0.0.2" };

        var result = await Source().ReadAsync([offline, Printer(online.Serial)], timeout.Token);

        Assert.Equal(["0.4", "0.6"], result.Files.Select(file => file.NozzleDiameter).Order());
        Assert.All(result.Files, file => Assert.Equal(online.Serial, file.PrinterSerial));
        var skipped = Assert.Single(result.Skipped);
        Assert.Contains("01P00A000000004", skipped);
        Assert.Contains("offline", skipped);
    }

    [Fact]
    public async Task InactivePrintersAreNotAsked()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var printer = await NewPrinter().ConnectAsync(fixture.Broker, PrinterBrokerFixture.AccessCode, timeout.Token);
        printer.Profiles["0.4"] = [SimulatedPrinter.Filament(1, "Bambu PLA Basic", "0.020000", "GFA00", "GFSA00")];

        var result = await Source().ReadAsync([Printer(printer.Serial) with { IsActive = false }], timeout.Token);

        Assert.Empty(result.Files);
        Assert.Empty(result.Skipped);
        Assert.Empty(printer.Requests);
    }

    private static SimulatedPrinter NewPrinter(bool ignoresFirstRequest = false, bool broadcastsFirst = false, bool omitsSequenceId = false) => new()
    {
        Serial = $"01S00C{Interlocked.Increment(ref s_serial):D9}",
        IgnoresFirstRequest = ignoresFirstRequest,
        BroadcastsAnotherDiameterFirst = broadcastsFirst,
        OmitsSequenceId = omitsSequenceId,
    };

    private static BambuddyPrinter Printer(string serial, string accessCode = PrinterBrokerFixture.AccessCode) =>
        new(1, "Printer " + serial, serial, "127.0.0.1", accessCode, "X1C", true);

    private MqttKProfileSource Source(int? port = null, TimeSpan? connectTimeout = null, CapturingLogger<MqttKProfileSource>? logger = null) => new(
        Options.Create(new KProfileOptions
        {
            PrinterMqttPort = port ?? fixture.Broker.Port,
            PrinterConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(10),
            PrinterReadTimeout = TimeSpan.FromSeconds(30),
            KProfileRequestTimeout = TimeSpan.FromMilliseconds(500),
            KProfileRequestAttempts = 2,
        }),
        logger ?? new CapturingLogger<MqttKProfileSource>());

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
