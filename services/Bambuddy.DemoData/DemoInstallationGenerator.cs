using System.Text.Json;
using Bambuddy.Core.Installation;

namespace Bambuddy.DemoData;

/// <summary>
/// Generates a realistic Bambuddy installation: Bambuddy's schema with rows in its main tables, and a data
/// directory laid out as Bambuddy lays it out. Everything follows from the seed, so the same options give
/// the same rows and the same file bytes. One generation per instance.
/// </summary>
public sealed class DemoInstallationGenerator(DemoInstallationOptions options)
{
    private static readonly DateTime _epoch = new(2025, 1, 6, 8, 0, 0, DateTimeKind.Unspecified);
    private static readonly TimeSpan _span = TimeSpan.FromDays(640);

    private readonly DemoRandom _random = new(options.Seed);
    private readonly DemoMedia _media = new();
    private readonly Dictionary<string, int> _rowsByTable = new(StringComparer.Ordinal);
    private readonly string _dataDir = options.ResolveInstallation().DataDirectory;
    private DemoDatabaseWriter _writer = null!;
    private double _bytesPerWeight;
    private long _fileStream;

    public async Task<DemoInstallationResult> GenerateAsync(CancellationToken cancellationToken)
    {
        var installation = options.ResolveInstallation();
        Directory.CreateDirectory(_dataDir);
        await using var writer = await DemoDatabaseWriter.OpenAsync(installation, cancellationToken);
        _writer = writer;
        var hasSchema = await writer.HasTableAsync("printers", cancellationToken);
        if (hasSchema && await writer.CountRowsAsync("printers", cancellationToken) > 0)
        {
            return options.IfEmpty
                ? new DemoInstallationResult(installation, true, 0, new Dictionary<string, int>(), 0, 0)
                : throw new InvalidOperationException($"The database already holds an installation ({installation.Describe()}); use --if-empty to leave it.");
        }

        if (!hasSchema)
        {
            await writer.ApplySchemaAsync(cancellationToken);
        }

        var plan = DemoPlan.For(options);
        _bytesPerWeight = plan.BytesPerWeight;
        await writer.BeginAsync(cancellationToken);
        await WriteInstallationAsync(plan, cancellationToken);
        await writer.CommitAsync(cancellationToken);
        return new DemoInstallationResult(installation, false, _rowsByTable.Values.Sum(), _rowsByTable, _media.FilesWritten, _media.BytesWritten);
    }

    private async Task WriteInstallationAsync(DemoPlan plan, CancellationToken ct)
    {
        var userNames = new[] { "admin", "maker", "viewer" };
        var users = Table("users", "id", "username", "email", "password_hash", "role", "auth_source", "is_active", "created_at", "updated_at",
            "cloud_token", "cloud_email", "cloud_region");
        for (var i = 0; i < userNames.Length; i++)
        {
            var created = Micro(_epoch.AddDays(-30 + i));
            users.Add(i + 1, userNames[i], $"{userNames[i]}@example.com", "$2b$12$" + _random.NextHex(53), i == 0 ? "admin" : "user", "local", true,
                created, created, i == 0 ? "eyJhbGciOiJSUzI1NiJ9." + _random.NextHex(120) : null, i == 0 ? "admin@example.com" : null, i == 0 ? "global" : null);
        }

        await FlushAsync(users, ct);
        var groups = Table("groups", "id", "name", "description", "permissions", "is_system", "created_at", "updated_at");
        groups.Add(1, "Administrators", "Full access", Json(new[] { "*" }), true, Whole(_epoch.AddDays(-30)), Whole(_epoch.AddDays(-30)));
        groups.Add(2, "Operators", "Run prints", Json(new[] { "printers:read", "printers:control", "queue:write", "archives:read" }), true, Whole(_epoch.AddDays(-30)), Whole(_epoch.AddDays(-30)));
        groups.Add(3, "Viewers", "Read only", Json(new[] { "printers:read", "archives:read" }), true, Whole(_epoch.AddDays(-30)), Whole(_epoch.AddDays(-30)));
        await FlushAsync(groups, ct);
        var userGroups = Table("user_groups", "user_id", "group_id");
        userGroups.Add(1, 1);
        userGroups.Add(2, 2);
        userGroups.Add(3, 3);
        await FlushAsync(userGroups, ct);

        await WriteSettingsAsync(ct);
        var printers = await WritePrintersAsync(plan, ct);
        var projects = await WriteProjectsAsync(plan, ct);
        await WriteLibraryAsync(plan, projects, ct);
        var archives = await WriteArchivesAsync(plan, printers, projects, ct);
        await WriteFilamentAndSpoolsAsync(plan, printers, archives, ct);
        await WriteHistoryAsync(plan, printers, archives, ct);
        await WriteIntegrationsAsync(plan, printers, ct);

        var key = new byte[32];
        _random.NextBytes(key);
        await _media.WriteTextAsync(DataPath(".mfa_encryption_key"), Convert.ToBase64String(key).Replace('+', '-').Replace('/', '_'), ct);
    }

    private async Task WriteSettingsAsync(CancellationToken ct)
    {
        var settings = Table("settings", "id", "key", "value", "created_at", "updated_at");
        (string Key, string Value)[] values =
        [
            ("auto_archive", "true"), ("save_thumbnails", "true"), ("capture_finish_photo", "true"), ("currency", "EUR"),
            ("default_filament_cost", "25.0"), ("energy_cost_per_kwh", "0.32"), ("energy_tracking_mode", "total"), ("check_updates", "true"),
            ("time_format", "24h"), ("date_format", "YYYY-MM-DD"), ("notification_language", "en"), ("default_printer_id", "1"),
            ("spoolman_enabled", "false"), ("spoolman_url", ""), ("mqtt_enabled", "true"), ("mqtt_broker", "mqtt.home.lan"),
            ("mqtt_port", "1883"), ("mqtt_username", "bambuddy"), ("mqtt_password", _random.NextHex(24)), ("mqtt_topic_prefix", "bambuddy"),
            ("ha_enabled", "true"), ("ha_url", "http://homeassistant.local:8123"), ("ha_token", "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9." + _random.NextHex(80)),
            ("bambu_cloud_email", "admin@example.com"), ("bambu_cloud_region", "global"), ("bambu_cloud_token", "AAB" + _random.NextHex(180)),
            ("auth_enabled", "true"), ("auth_secret_key", _random.NextHex(64)), ("smtp_host", "smtp.example.com"), ("smtp_port", "587"),
            ("smtp_username", "printfarm@example.com"), ("smtp_password", _random.NextHex(20)), ("prometheus_enabled", "true"),
            ("prometheus_token", _random.NextHex(40)), ("obico_enabled", "false"), ("obico_ml_token", _random.NextHex(32)),
            ("ldap_enabled", "false"), ("ldap_bind_password", _random.NextHex(16)), ("virtual_printer_enabled", "true"),
            ("virtual_printer_access_code", _random.NextDigits(8)), ("virtual_printer_mode", "immediate"),
            ("orca_cloud_token", _random.NextHex(64)), ("orca_cloud_refresh_token", _random.NextHex(64)),
            ("local_backup_enabled", "true"), ("local_backup_schedule", "daily"), ("local_backup_time", "03:00"),
            ("local_backup_retention", "5"), ("local_backup_path", ""),
        ];
        for (var i = 0; i < values.Length; i++)
        {
            var at = Micro(_epoch.AddDays(-29).AddMinutes(i));
            settings.Add(i + 1, values[i].Key, values[i].Value, at, at);
        }

        await FlushAsync(settings, ct);
    }

    private async Task<List<(int Id, string Name, string Model)>> WritePrintersAsync(DemoPlan plan, CancellationToken ct)
    {
        var printers = Table("printers", "id", "name", "serial_number", "ip_address", "access_code", "model", "location", "nozzle_count",
            "is_active", "auto_archive", "print_hours_offset", "runtime_seconds", "external_camera_enabled", "camera_rotation",
            "plate_detection_enabled", "awaiting_plate_clear", "created_at", "updated_at");
        var amsLabels = Table("ams_labels", "id", "ams_serial_number", "ams_id", "label", "created_at", "updated_at");
        var list = new List<(int, string, string)>();
        for (var id = 1; id <= plan.Printers; id++)
        {
            var (model, prefix, nozzles) = _random.Pick(DemoValues.PrinterModels);
            var name = $"{model} #{id}";
            var created = Micro(_epoch.AddDays(-28 + id));
            printers.Add(id, name, prefix + _random.NextDigits(9), $"192.168.1.{100 + id}", _random.NextDigits(8), model, id % 2 == 0 ? "Workshop" : "Office",
                nozzles, true, true, 0.0, _random.Next(100_000, 9_000_000), false, 0, false, false, created, created);
            amsLabels.Add(id, "006" + _random.NextHex(12).ToUpperInvariant(), 0, $"AMS {id}", created, created);
            list.Add((id, name, model));
            await _media.WriteJpegAsync(DataPath($"plate_calibration/{id}/reference_0.jpg"), FileRandom(), Size(0.3), ct);
        }

        await FlushAsync(printers, ct);
        await FlushAsync(amsLabels, ct);
        return list;
    }

    private async Task<List<int>> WriteProjectsAsync(DemoPlan plan, CancellationToken ct)
    {
        var projects = Table("projects", "id", "name", "description", "color", "status", "attachments", "tags", "priority", "is_template",
            "target_count", "notes", "created_at", "updated_at");
        var ids = new List<int>();
        for (var id = 1; id <= plan.Projects; id++)
        {
            var created = Micro(_epoch.AddDays(id * 3));
            var attachments = new List<object>();
            for (var a = 0; a < 1 + (id % 2); a++)
            {
                var pdf = a == 0;
                var fileName = pdf ? $"assembly_{a + 1}.pdf" : $"reference_{a + 1}.jpg";
                var path = DataPath($"projects/{id}/attachments/{fileName}");
                var size = pdf
                    ? await _media.WritePdfAsync(path, FileRandom(), Size(0.5), ct)
                    : await _media.WriteJpegAsync(path, FileRandom(), Size(0.5), ct);
                attachments.Add(new { filename = fileName, original_name = fileName, size, uploaded_at = created.ToString("s") });
            }

            projects.Add(id, $"Project {_random.Pick(DemoValues.Models).Replace('_', ' ')} {id}", "Parts for a customer order", "#" + _random.NextHex(6),
                id % 4 == 0 ? "completed" : "active", Json(attachments), "customer,batch", id % 3 == 0 ? "high" : "normal", false,
                _random.Next(1, 50), null, created, created);
            ids.Add(id);
        }

        await FlushAsync(projects, ct);
        return ids;
    }

    private async Task WriteLibraryAsync(DemoPlan plan, List<int> projects, CancellationToken ct)
    {
        var folders = Table("library_folders", "id", "name", "parent_id", "is_external", "external_readonly", "external_show_hidden",
            "project_id", "created_at", "updated_at");
        string[] folderNames = ["Functional", "Toys", "Household", "Calibration", "Customer Jobs", "Spare Parts"];
        for (var id = 1; id <= plan.LibraryFolders; id++)
        {
            var created = Micro(_epoch.AddDays(id));
            folders.Add(id, folderNames[(id - 1) % folderNames.Length] + (id > folderNames.Length ? $" {id}" : ""), id > 2 && id % 3 == 0 ? 1 : null,
                false, false, false, id % 4 == 0 ? _random.Pick(projects) : null, created, created);
        }

        await FlushAsync(folders, ct);
        var files = Table("library_files", "id", "folder_id", "project_id", "is_external", "filename", "file_path", "file_type", "file_size",
            "file_hash", "thumbnail_path", "file_metadata", "print_count", "created_by_id", "created_at", "updated_at");
        for (var id = 1; id <= plan.LibraryFiles; id++)
        {
            var name = _random.Pick(DemoValues.Models);
            var stl = id % 5 == 0;
            var uuid = _random.NextHex(32);
            var path = $"archive/library/files/{uuid}.{(stl ? "stl" : "3mf")}";
            var thumbnail = $"archive/library/thumbnails/{uuid}.png";
            var created = Micro(_epoch.AddDays(id % 600).AddMinutes(id));
            long size;
            string hash;
            if (stl)
            {
                size = await _media.WriteStlAsync(DataPath(path), FileRandom(), name, Size(1.5), ct);
                hash = _random.NextHex(64);
            }
            else
            {
                (size, hash) = await _media.Write3mfAsync(DataPath(path), FileRandom(), name, "X1C", Size(1.5), created, ct);
            }

            await _media.WritePngAsync(DataPath(thumbnail), FileRandom(), DemoMedia.ThumbnailSide, DemoMedia.ThumbnailSide, ct);
            files.Add(id, _random.Next(1, plan.LibraryFolders + 1), null, false, $"{name}.{(stl ? "stl" : "3mf")}", path, stl ? "stl" : "3mf", size, hash,
                thumbnail, Json(new { print_time = _random.Next(600, 30_000), filament_weight = Math.Round(_random.NextDouble(2, 300), 2) }),
                _random.Next(0, 12), 1, created, created);
        }

        await FlushAsync(files, ct);
    }

    private async Task<List<(int Id, int? PrinterId, string Name, DateTime At, bool Completed)>> WriteArchivesAsync(
        DemoPlan plan, List<(int Id, string Name, string Model)> printers, List<int> projects, CancellationToken ct)
    {
        var archives = Table("print_archives", "id", "printer_id", "project_id", "filename", "file_path", "file_size", "content_hash",
            "thumbnail_path", "timelapse_path", "bambuddy_forced_timelapse", "print_name", "print_time_seconds", "filament_used_grams",
            "filament_type", "filament_color", "layer_height", "total_layers", "nozzle_diameter", "bed_temperature", "bed_type",
            "nozzle_temperature", "sliced_for_model", "status", "started_at", "completed_at", "plate_id", "extra_data", "designer",
            "makerworld_url", "is_favorite", "tags", "notes", "cost", "photos", "failure_reason", "quantity", "energy_kwh", "energy_cost",
            "created_at", "created_by_id");
        var list = new List<(int, int?, string, DateTime, bool)>();
        var step = Math.Max(60, _span.TotalSeconds / plan.Archives);
        var at = _epoch;
        for (var id = 1; id <= plan.Archives; id++)
        {
            at = Micro(at.AddSeconds(step * _random.NextDouble(0.5, 1.5)).AddSeconds(1));
            var printer = _random.Chance(0.03) ? ((int Id, string Name, string Model)?)null : _random.Pick(printers);
            var name = _random.Pick(DemoValues.Models) + (_random.Chance(0.3) ? $"_v{_random.Next(2, 6)}" : "");
            var folder = $"archive/{printer?.Id.ToString() ?? "unassigned"}/{at:yyyyMMdd_HHmmss}_{name}";
            var status = _random.Chance(0.86) ? "completed" : _random.Chance(0.6) ? "failed" : "cancelled";
            var seconds = _random.Next(900, 50_000);
            var material = _random.Pick(DemoValues.Materials);
            var color = _random.Pick(DemoValues.Colors);
            var grams = Math.Round(_random.NextDouble(3, 450), 2);

            var (size, hash) = await _media.Write3mfAsync(DataPath($"{folder}/{name}.gcode.3mf"), FileRandom(), name, printer?.Model ?? "X1C", Size(2.0), at, ct);
            await _media.WritePngAsync(DataPath($"{folder}/thumbnail.png"), FileRandom(), DemoMedia.ThumbnailSide, DemoMedia.ThumbnailSide, ct);
            string? timelapse = null;
            if (_random.Chance(0.8))
            {
                timelapse = $"{folder}/video_{at:yyyy-MM-dd_HH-mm-ss}.mp4";
                await _media.WriteMp4Async(DataPath(timelapse), FileRandom(), Size(6.0 / 0.8), ct);
            }

            var photos = new List<string>();
            for (var p = 0; p < _random.Next(0, 3); p++)
            {
                photos.Add($"finish_{at.AddSeconds(seconds + p):yyyyMMdd_HHmmss}_{p}.jpg");
                await _media.WriteJpegAsync(DataPath($"{folder}/photos/{photos[^1]}"), FileRandom(), Size(0.6), ct);
            }

            var energy = Math.Round(seconds / 3600.0 * _random.NextDouble(0.08, 0.35), 3);
            archives.Add(id, printer?.Id, _random.Chance(0.2) ? _random.Pick(projects) : null, $"{name}.gcode.3mf", $"{folder}/{name}.gcode.3mf",
                size, hash, $"{folder}/thumbnail.png", timelapse, false, name.Replace('_', ' '), seconds, grams, material.Material,
                color.Hex, _random.Pick(new[] { 0.08, 0.12, 0.16, 0.2, 0.24, 0.28 }), _random.Next(40, 1200), 0.4, _random.Pick(new[] { 55, 60, 65, 100 }),
                "Textured PEI Plate", _random.Next(material.MinTemp, material.MaxTemp + 1), printer?.Model ?? "X1C", status, at,
                status == "completed" ? Micro(at.AddSeconds(seconds)) : null, 1,
                Json(new { plates = 1, ams_mapping = new[] { 0 } }), _random.Chance(0.4) ? "MakerWorld designer " + _random.Next(1, 90) : null,
                _random.Chance(0.3) ? $"https://makerworld.com/en/models/{_random.Next(100_000, 1_500_000)}" : null, _random.Chance(0.1),
                _random.Chance(0.3) ? "functional,gift" : null, _random.Chance(0.1) ? "Printed for the spring fair" : null,
                Math.Round(grams * material.CostPerKg / 1000, 2), photos.Count > 0 ? Json(photos) : null,
                status == "failed" ? _random.Pick(new[] { "spaghetti", "layer_shift", "nozzle_clog", "adhesion" }) : null, 1, energy,
                Math.Round(energy * 0.32, 3), at, 1);
            list.Add((id, printer?.Id, name.Replace('_', ' '), at, status == "completed"));
        }

        await FlushAsync(archives, ct);
        return list;
    }

    private async Task WriteFilamentAndSpoolsAsync(DemoPlan plan, List<(int Id, string Name, string Model)> printers,
        List<(int Id, int? PrinterId, string Name, DateTime At, bool Completed)> archives, CancellationToken ct)
    {
        var filaments = Table("filaments", "id", "name", "type", "brand", "color", "color_hex", "cost_per_kg", "spool_weight_g", "currency",
            "density", "print_temp_min", "print_temp_max", "bed_temp_min", "bed_temp_max", "created_at", "updated_at");
        for (var i = 0; i < DemoValues.Materials.Length; i++)
        {
            var m = DemoValues.Materials[i];
            var c = DemoValues.Colors[i % DemoValues.Colors.Length];
            filaments.Add(i + 1, $"{m.Brand} {m.Material} {m.Subtype}".Trim(), m.Material, m.Brand, c.Name, "#" + c.Hex[..6], m.CostPerKg, 1000.0, "EUR",
                1.24, m.MinTemp, m.MaxTemp, 35, 65, Whole(_epoch.AddDays(-20)), Whole(_epoch.AddDays(-20)));
        }

        await FlushAsync(filaments, ct);
        var locations = Table("locations", "id", "name", "name_key", "identifier", "created_at", "updated_at");
        locations.Add(1, "Dry Box A", "dry box a", "DBA", Whole(_epoch), Whole(_epoch));
        locations.Add(2, "Shelf 2", "shelf 2", "SH2", Whole(_epoch), Whole(_epoch));
        await FlushAsync(locations, ct);

        var spools = Table("spool", "id", "material", "subtype", "color_name", "rgba", "brand", "label_weight", "core_weight", "weight_used",
            "weight_used_baseline", "weight_locked", "slicer_filament", "slicer_filament_name", "nozzle_temp_min", "nozzle_temp_max", "note",
            "added_full", "category", "cost_per_kg", "location_id", "last_used", "tag_uid", "tray_uuid", "data_origin", "tag_type",
            "archived_at", "created_at", "updated_at");
        for (var id = 1; id <= plan.Spools; id++)
        {
            var m = _random.Pick(DemoValues.Materials);
            var c = _random.Pick(DemoValues.Colors);
            var rfid = m.Brand == "Bambu Lab";
            var created = Micro(_epoch.AddDays(_random.Next(0, 500)));
            spools.Add(id, m.Material, m.Subtype, c.Name, c.Hex, m.Brand, 1000, rfid ? 250 : 200, Math.Round(_random.NextDouble(0, 950), 2), 0.0, false,
                $"GFA{_random.Next(0, 99):D2}", $"{m.Brand} {m.Material} {m.Subtype}".Trim(), m.MinTemp, m.MaxTemp, _random.Chance(0.2) ? "Opened, keep dry" : null,
                true, null, m.CostPerKg, _random.Chance(0.5) ? _random.Next(1, 3) : null, Micro(created.AddDays(10)),
                rfid ? _random.NextHex(16).ToUpperInvariant() : null, rfid ? _random.NextHex(32).ToUpperInvariant() : null,
                rfid ? "rfid" : "manual", rfid ? "bambulab" : null, _random.Chance(0.1) ? Micro(created.AddDays(60)) : null, created, created);
        }

        await FlushAsync(spools, ct);
        var usage = Table("spool_usage_history", "id", "spool_id", "printer_id", "print_name", "archive_id", "weight_used", "percent_used",
            "status", "cost", "created_at");
        for (var id = 1; id <= plan.UsageRows; id++)
        {
            var archive = archives[(id - 1) % archives.Count];
            var weight = Math.Round(_random.NextDouble(1, 300), 2);
            usage.Add(id, _random.Next(1, plan.Spools + 1), archive.PrinterId, archive.Name, _random.Chance(0.9) ? archive.Id : null, weight,
                (int)(weight / 10), archive.Completed ? "completed" : "failed", Math.Round(weight * 0.025, 2),
                Micro(archive.At.AddMinutes(_random.Next(10, 600))));
        }

        await FlushAsync(usage, ct);
    }

    private async Task WriteHistoryAsync(DemoPlan plan, List<(int Id, string Name, string Model)> printers,
        List<(int Id, int? PrinterId, string Name, DateTime At, bool Completed)> archives, CancellationToken ct)
    {
        var log = Table("print_log_entries", "id", "archive_id", "print_name", "printer_name", "printer_id", "status", "started_at",
            "completed_at", "duration_seconds", "filament_type", "filament_used_grams", "created_by_id", "created_by_username", "created_at");
        foreach (var archive in archives)
        {
            var seconds = _random.Next(900, 50_000);
            var printerName = archive.PrinterId is { } p ? printers[p - 1].Name : null;
            log.Add(archive.Id, archive.Id, archive.Name, printerName, archive.PrinterId, archive.Completed ? "completed" : "failed", archive.At,
                Micro(archive.At.AddSeconds(seconds)), seconds, _random.Pick(DemoValues.Materials).Material,
                Math.Round(_random.NextDouble(3, 450), 2), 1, "admin", archive.At);
        }

        await FlushAsync(log, ct);
        var sensors = Table("printer_sensor_history", "id", "printer_id", "sensor_kind", "value", "target", "recorded_at");
        var ams = Table("ams_sensor_history", "id", "printer_id", "ams_id", "humidity", "humidity_raw", "temperature", "recorded_at");
        var sensorStep = _span.TotalSeconds / Math.Max(1, plan.SensorRows);
        string[] kinds = ["nozzle", "bed", "chamber"];
        for (var i = 0; i < plan.SensorRows; i++)
        {
            var at = Whole(_epoch.AddSeconds(Math.Floor(i * sensorStep)));
            var printer = (i % printers.Count) + 1;
            if (i % 4 == 3)
            {
                var humidity = Math.Round(_random.NextDouble(8, 45), 1);
                ams.Add(ams.Rows.Count + 1, printer, 0, humidity, humidity + 1.5, Math.Round(_random.NextDouble(20, 32), 1), at);
            }
            else
            {
                var kind = kinds[i % 3];
                var target = kind == "nozzle" ? 220.0 : kind == "bed" ? 60.0 : 0.0;
                sensors.Add(sensors.Rows.Count + 1, printer, kind, Math.Round(target + _random.NextDouble(-2, 2) + (kind == "chamber" ? 30 : 0), 1), target, at);
            }
        }

        await FlushAsync(sensors, ct);
        await FlushAsync(ams, ct);

        var types = Table("maintenance_types", "id", "name", "description", "default_interval_hours", "interval_type", "icon", "is_system", "is_deleted", "created_at");
        types.Add(1, "Lubricate rods", "Lubricate the carbon rods and lead screws", 200.0, "hours", "droplet", true, false, Whole(_epoch));
        types.Add(2, "Clean build plate", "Wash the plate with dish soap", 50.0, "hours", "sparkles", true, false, Whole(_epoch));
        types.Add(3, "Replace nozzle", null, 1000.0, "hours", "wrench", true, false, Whole(_epoch));
        await FlushAsync(types, ct);
        var maintenance = Table("printer_maintenance", "id", "printer_id", "maintenance_type_id", "enabled", "last_performed_at", "last_performed_hours",
            "created_at", "updated_at");
        foreach (var printer in printers)
        {
            for (var t = 1; t <= 3; t++)
            {
                maintenance.Add(maintenance.Rows.Count + 1, printer.Id, t, true, Micro(_epoch.AddDays(_random.Next(1, 600))), Math.Round(_random.NextDouble(0, 2000), 1),
                    Whole(_epoch), Whole(_epoch));
            }
        }

        await FlushAsync(maintenance, ct);
    }

    private async Task WriteIntegrationsAsync(DemoPlan plan, List<(int Id, string Name, string Model)> printers, CancellationToken ct)
    {
        var created = Micro(_epoch.AddDays(2));
        var plugs = Table("smart_plugs", "id", "name", "ip_address", "plug_type", "mqtt_power_multiplier", "mqtt_energy_multiplier", "mqtt_multiplier",
            "rest_power_multiplier", "rest_energy_multiplier", "rest_energy_total_multiplier", "printer_id", "controls_printer_power", "enabled",
            "auto_on", "auto_off", "auto_off_persistent", "off_delay_mode", "off_delay_minutes", "off_temp_threshold", "auto_off_after_drying",
            "off_delay_after_drying_minutes", "username", "password", "power_alert_enabled", "schedule_enabled", "show_in_switchbar",
            "show_on_printer_card", "auto_off_executed", "auto_off_pending", "created_at", "updated_at");
        plugs.Add(1, "Tasmota X1C", "192.168.1.60", "tasmota", 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1, true, true, true, true, false, "temperature", 5, 70,
            false, 10, "admin", _random.NextHex(12), false, false, true, true, false, false, created, created);
        await FlushAsync(plugs, ct);

        var providers = Table("notification_providers", "id", "name", "provider_type", "enabled", "config", "on_print_start", "on_print_complete",
            "on_print_failed", "created_at", "updated_at");
        providers.Add(1, "Telegram", "telegram", true, Json(new { bot_token = $"{_random.NextDigits(10)}:{_random.NextHex(35)}", chat_id = _random.NextDigits(9) }),
            false, true, true, created, created);
        providers.Add(2, "Discord", "discord", true, Json(new { webhook_url = $"https://discord.com/api/webhooks/{_random.NextDigits(18)}/{_random.NextHex(60)}" }),
            true, true, true, created, created);
        await FlushAsync(providers, ct);

        var github = Table("github_backup_config", "id", "repository_url", "access_token", "branch", "provider", "allow_insecure_http", "schedule_enabled",
            "schedule_type", "backup_kprofiles", "backup_cloud_profiles", "backup_settings", "backup_spools", "backup_archives", "enabled", "created_at", "updated_at");
        github.Add(1, "https://github.com/example/bambuddy-profiles", "ghp_" + _random.NextHex(36), "main", "github", false, true, "daily", true, true,
            false, false, false, true, created, created);
        await FlushAsync(github, ct);

        var apiKeys = Table("api_keys", "id", "name", "key_hash", "key_prefix", "user_id", "can_queue", "can_control_printer", "can_read_status",
            "can_manage_library", "can_manage_inventory", "can_manage_maintenance", "can_manage_archives", "can_manage_projects", "can_access_cloud",
            "can_update_energy_cost", "enabled", "created_at");
        apiKeys.Add(1, "Home Assistant", "$2b$12$" + _random.NextHex(53), "bb_" + _random.NextHex(8), 1, true, true, true, false, false, false, false,
            false, false, false, true, Whole(_epoch.AddDays(3)));
        await FlushAsync(apiKeys, ct);

        var links = Table("external_links", "id", "name", "url", "icon", "custom_icon", "open_in_new_tab", "sort_order", "created_at", "updated_at");
        (string Name, string Url)[] linkValues = [("Spoolman", "http://spoolman.local:7912"), ("MakerWorld", "https://makerworld.com"), ("Grafana", "http://grafana.local:3000")];
        for (var i = 0; i < linkValues.Length; i++)
        {
            var icon = $"link_{i + 1}_{_random.NextHex(8)}.png";
            await _media.WritePngAsync(DataPath($"icons/{icon}"), FileRandom(), 64, 64, ct);
            links.Add(i + 1, linkValues[i].Name, linkValues[i].Url, "link", icon, true, i, created, created);
        }

        await FlushAsync(links, ct);

        var virtualPrinters = Table("virtual_printers", "id", "name", "enabled", "mode", "auto_dispatch", "queue_force_color_match", "save_ams_mapping",
            "gcode_injection", "model", "access_code", "target_printer_id", "tailscale_disabled", "serial_suffix", "position", "created_at", "updated_at");
        virtualPrinters.Add(1, "Bambuddy Virtual", true, "immediate", true, false, false, false, "X1C", _random.NextDigits(8), printers[0].Id, true,
            _random.NextDigits(9), 0, created, created);
        await FlushAsync(virtualPrinters, ct);
        await _media.WriteTextAsync(DataPath("virtual_printer/certs/virtual_printer.crt"), Pem("CERTIFICATE"), ct);
        await _media.WriteTextAsync(DataPath("virtual_printer/certs/virtual_printer.key"), Pem("PRIVATE KEY"), ct);

        var uploads = Table("pending_uploads", "id", "filename", "file_path", "file_size", "metadata_print_name", "source_ip", "status", "uploaded_at");
        for (var id = 1; id <= plan.Uploads; id++)
        {
            var at = Micro(_epoch.AddDays(_random.Next(0, 600)).AddSeconds(_random.Next(0, 86_400)));
            var name = _random.Pick(DemoValues.Models);
            var path = $"virtual_printer/uploads/{at:yyyyMMdd_HHmmss}_{id}_{name}.gcode.3mf";
            var (size, _) = await _media.Write3mfAsync(DataPath(path), FileRandom(), name, "X1C", Size(1.5), at, ct);
            uploads.Add(id, $"{name}.gcode.3mf", path, size, name.Replace('_', ' '), $"192.168.1.{_random.Next(20, 90)}", id % 3 == 0 ? "archived" : "pending", at);
        }

        await FlushAsync(uploads, ct);
    }

    private string Pem(string label)
    {
        var body = new byte[label == "CERTIFICATE" ? 900 : 1200];
        _random.NextBytes(body);
        return $"-----BEGIN {label}-----\n{Convert.ToBase64String(body, Base64FormattingOptions.InsertLineBreaks).Replace("\r\n", "\n")}\n-----END {label}-----\n";
    }

    private DemoTable Table(string name, params string[] columns) => new(name, columns);

    private async Task FlushAsync(DemoTable table, CancellationToken ct)
    {
        await _writer.WriteAsync(table, ct);
        _rowsByTable[table.Name] = table.Rows.Count;
    }

    /// <summary>Each file gets its own random stream, so its bytes do not depend on how big earlier files were.</summary>
    private DemoRandom FileRandom() => new(options.Seed, ++_fileStream);

    /// <summary>A file size for a weight, jittered ±30%.</summary>
    private long Size(double weight) => Math.Max(1024, (long)(weight * _bytesPerWeight * _random.NextDouble(0.7, 1.3)));

    private string DataPath(string relative) => Path.Combine(_dataDir, relative);

    private DateTime Micro(DateTime value) => new DateTime(value.Year, value.Month, value.Day, value.Hour, value.Minute, value.Second)
        .AddTicks(_random.Next(1, 1_000_000) * 10L);

    private static DateTime Whole(DateTime value) => new(value.Year, value.Month, value.Day, value.Hour, value.Minute, value.Second);

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
