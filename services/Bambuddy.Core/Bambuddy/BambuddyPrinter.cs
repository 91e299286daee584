namespace Bambuddy.Core.Bambuddy;

/// <summary>A row of Bambuddy's <c>printers</c> table: what is needed to reach a printer on the LAN.</summary>
public sealed record BambuddyPrinter(
    long Id,
    string Name,
    string SerialNumber,
    string IpAddress,
    string AccessCode,
    string? Model,
    bool IsActive);
