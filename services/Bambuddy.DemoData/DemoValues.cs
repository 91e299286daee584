using System.Globalization;

namespace Bambuddy.DemoData;

/// <summary>Word lists and value formats shared by the generator and the SQLite writer.</summary>
internal static class DemoValues
{
    public static readonly string[] Models = ["Benchy", "Cable_Clip", "Gridfinity_Bin_2x3", "Headphone_Stand", "Planter", "Phone_Stand",
        "Spool_Holder", "Calibration_Cube", "Spiral_Vase", "Shelf_Bracket", "Knob", "Print_in_Place_Hinge", "Raspberry_Pi_Case", "Lid",
        "Keychain", "Articulated_Dragon", "Filament_Clip", "Wall_Hook", "Desk_Organizer", "Lithophane", "Drawer_Handle", "Tool_Holder"];

    public static readonly (string Material, string? Subtype, string Brand, int MinTemp, int MaxTemp, double CostPerKg)[] Materials =
    [
        ("PLA", "Basic", "Bambu Lab", 190, 230, 19.99), ("PLA", "Matte", "Bambu Lab", 190, 230, 21.99), ("PETG", "HF", "Bambu Lab", 230, 260, 24.99),
        ("PLA", null, "Polymaker", 190, 220, 22.50), ("ABS", null, "Bambu Lab", 240, 270, 21.99), ("TPU", "95A", "Bambu Lab", 220, 240, 39.99),
        ("PETG", null, "Prusament", 240, 260, 29.99), ("ASA", null, "Polymaker", 240, 270, 27.50),
    ];

    public static readonly (string Name, string Hex)[] Colors =
    [
        ("Black", "000000FF"), ("White", "FFFFFFFF"), ("Jade White", "F5F1E6FF"), ("Red", "C12E1FFF"), ("Blue", "0A2989FF"),
        ("Orange", "FF6A13FF"), ("Grey", "8E9089FF"), ("Bambu Green", "00AE42FF"), ("Yellow", "F4EE2AFF"), ("Purple", "5E43B7FF"),
    ];

    public static readonly (string Code, string Prefix, int Nozzles)[] PrinterModels =
        [("X1C", "00M09A", 1), ("P1S", "01P00A", 1), ("A1", "03919A", 1), ("A1MINI", "0309DA", 1), ("H2D", "0948AA", 2), ("P2S", "22E00A", 1)];

    /// <summary>
    /// As SQLAlchemy writes datetimes to SQLite: with microseconds when the app sets them; values on a whole
    /// second stand for server defaults (<c>CURRENT_TIMESTAMP</c>), which SQLite stores without a fraction.
    /// </summary>
    public static string FormatDateTime(DateTime value) => value.ToString(
        value.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
}
