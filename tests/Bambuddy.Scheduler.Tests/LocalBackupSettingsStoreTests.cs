using Bambuddy.Scheduler.LocalBackups;
using Bambuddy.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Bambuddy.Scheduler.Tests;

[Collection(PostgresCollection.Name)]
public sealed class LocalBackupSettingsStoreTests(PostgresServer server)
{
    private static readonly ScheduleZone Berlin = new(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

    // Wednesday 11:00 in Berlin (CET, UTC+1); a daily 03:00 is due at 02:00Z.
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Tomorrow0300 = new(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);

    private static readonly LocalBackupSettings DailyAt0300 = LocalBackupSettings.Defaults with { Enabled = true, Time = "03:00" };

    [Fact]
    public async Task FreshTableReadsBackBambuddysDefaults()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await CreateDatabaseAsync(timeout.Token);
        await using var database = NpgsqlDataSource.Create(connectionString);
        var store = new LocalBackupSettingsStore(database, new FakeTimeProvider(Start), Berlin);

        var settings = await store.GetAsync(timeout.Token);

        Assert.False(settings.Enabled);
        Assert.Equal("daily", settings.Schedule);
        Assert.Equal("00:00", settings.Time);
        Assert.Equal(5, settings.Retention);
        Assert.Equal("", settings.Path);
        Assert.Null(settings.S3);
        Assert.Null(settings.NextRun);
        Assert.Equal(LocalBackupSettings.Defaults, settings);
    }

    [Fact]
    public async Task SavingEnabledSettingsComputesAndPersistsNextRunFromTheClock()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await CreateDatabaseAsync(timeout.Token);
        await using var database = NpgsqlDataSource.Create(connectionString);
        var store = new LocalBackupSettingsStore(database, new FakeTimeProvider(Start), Berlin);

        var saved = await store.SaveAsync(DailyAt0300 with { Retention = 7, Path = "/mnt/nas/backups" }, timeout.Token);

        Assert.Equal(Tomorrow0300, saved.NextRun);
        var read = await store.GetAsync(timeout.Token);
        Assert.Equal(saved, read);
    }

    [Fact]
    public async Task ChangingTheTimeReschedulesAtOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await CreateDatabaseAsync(timeout.Token);
        await using var database = NpgsqlDataSource.Create(connectionString);
        var clock = new FakeTimeProvider(Start);
        var store = new LocalBackupSettingsStore(database, clock, Berlin);
        await store.SaveAsync(DailyAt0300, timeout.Token);
        clock.Advance(TimeSpan.FromMinutes(5));

        await store.SaveAsync(DailyAt0300 with { Time = "18:30" }, timeout.Token);

        var read = await store.GetAsync(timeout.Token);
        Assert.Equal("18:30", read.Time);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 17, 30, 0, TimeSpan.Zero), read.NextRun);
    }

    [Fact]
    public async Task ChangingTheScheduleReschedulesAtOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await CreateDatabaseAsync(timeout.Token);
        await using var database = NpgsqlDataSource.Create(connectionString);
        var store = new LocalBackupSettingsStore(database, new FakeTimeProvider(Start), Berlin);
        await store.SaveAsync(DailyAt0300, timeout.Token);

        await store.SaveAsync(DailyAt0300 with { Schedule = "weekly" }, timeout.Token);

        var read = await store.GetAsync(timeout.Token);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero), read.NextRun);
    }

    [Fact]
    public async Task DisablingClearsNextRun()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await CreateDatabaseAsync(timeout.Token);
        await using var database = NpgsqlDataSource.Create(connectionString);
        var store = new LocalBackupSettingsStore(database, new FakeTimeProvider(Start), Berlin);
        await store.SaveAsync(DailyAt0300, timeout.Token);

        var saved = await store.SaveAsync(DailyAt0300 with { Enabled = false }, timeout.Token);

        Assert.Null(saved.NextRun);
        Assert.Null((await store.GetAsync(timeout.Token)).NextRun);
    }

    [Fact]
    public async Task ClaimBeforeTheSlotQueuesNothingAndKeepsNextRun()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await CreateDatabaseAsync(timeout.Token);
        await using var database = NpgsqlDataSource.Create(connectionString);
        var clock = new FakeTimeProvider(Start);
        var store = new LocalBackupSettingsStore(database, clock, Berlin);
        await store.SaveAsync(DailyAt0300, timeout.Token);
        clock.SetUtcNow(Tomorrow0300.AddTicks(-10));

        var claimed = await store.ClaimDueSlotAsync(Queue(timeout.Token), timeout.Token);

        Assert.Null(claimed);
        Assert.Equal(0, await CountQueuedAsync(database, timeout.Token));
        Assert.Equal(Tomorrow0300, (await store.GetAsync(timeout.Token)).NextRun);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    public async Task ClaimAtOrAfterTheSlotQueuesOnceAndMovesNextRunPastNow(int secondsLate)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await CreateDatabaseAsync(timeout.Token);
        await using var database = NpgsqlDataSource.Create(connectionString);
        var clock = new FakeTimeProvider(Start);
        var store = new LocalBackupSettingsStore(database, clock, Berlin);
        await store.SaveAsync(DailyAt0300, timeout.Token);
        clock.SetUtcNow(Tomorrow0300.AddSeconds(secondsLate));

        var claimed = await store.ClaimDueSlotAsync(Queue(timeout.Token), timeout.Token);
        var again = await store.ClaimDueSlotAsync(Queue(timeout.Token), timeout.Token);

        var dayAfter = Tomorrow0300.AddDays(1);
        Assert.NotNull(claimed);
        Assert.Equal(dayAfter, claimed.NextRun);
        Assert.Null(again);
        Assert.Equal(new[] { Tomorrow0300 }, await QueuedSlotsAsync(database, timeout.Token));
        Assert.Equal(dayAfter, (await store.GetAsync(timeout.Token)).NextRun);
    }

    [Fact]
    public async Task MissedDailyRunsCollapseIntoOneRunAtStartUp()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await CreateDatabaseAsync(timeout.Token);
        await using var database = NpgsqlDataSource.Create(connectionString);
        var clock = new FakeTimeProvider(Start);
        var store = new LocalBackupSettingsStore(database, clock, Berlin);
        await store.SaveAsync(DailyAt0300, timeout.Token);
        // Down for three days: the 26th, 27th and 28th at 03:00 were all missed.
        clock.Advance(TimeSpan.FromDays(3));

        var claimed = await store.ClaimDueSlotAsync(Queue(timeout.Token), timeout.Token);
        var again = await store.ClaimDueSlotAsync(Queue(timeout.Token), timeout.Token);

        var nextFutureSlot = new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero);
        Assert.NotNull(claimed);
        Assert.Equal(nextFutureSlot, claimed.NextRun);
        Assert.True(claimed.NextRun > clock.GetUtcNow());
        Assert.Null(again);
        Assert.Equal(1, await CountQueuedAsync(database, timeout.Token));
        Assert.Equal(nextFutureSlot, (await store.GetAsync(timeout.Token)).NextRun);
    }

    [Fact]
    public async Task TwoReplicasWaitingOnTheSameDueSlotQueueItOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await CreateDatabaseAsync(timeout.Token);
        await using var database = NpgsqlDataSource.Create(connectionString);
        var clock = new FakeTimeProvider(Start);
        await new LocalBackupSettingsStore(database, clock, Berlin).SaveAsync(DailyAt0300, timeout.Token);
        clock.SetUtcNow(Tomorrow0300);
        await using var replicaA = NpgsqlDataSource.Create(connectionString);
        await using var replicaB = NpgsqlDataSource.Create(connectionString);
        var storeA = new LocalBackupSettingsStore(replicaA, clock, Berlin);
        var storeB = new LocalBackupSettingsStore(replicaB, clock, Berlin);
        // Hold the row so that both replicas are queued up on its lock before either can read it.
        await using var holder = await database.OpenConnectionAsync(timeout.Token);
        await using var hold = await holder.BeginTransactionAsync(timeout.Token);
        await ExecuteAsync(holder, hold, "SELECT 1 FROM local_backup_settings WHERE id = 1 FOR UPDATE", timeout.Token);

        var claimA = storeA.ClaimDueSlotAsync(Queue(timeout.Token), timeout.Token);
        var claimB = storeB.ClaimDueSlotAsync(Queue(timeout.Token), timeout.Token);
        await WaitForLockWaitersAsync(holder, hold, 2, timeout.Token);
        await hold.RollbackAsync(timeout.Token);
        var claims = await Task.WhenAll(claimA, claimB);

        Assert.Single(claims, c => c is not null);
        Assert.Equal(new[] { Tomorrow0300 }, await QueuedSlotsAsync(database, timeout.Token));
        Assert.Equal(Tomorrow0300.AddDays(1), (await storeA.GetAsync(timeout.Token)).NextRun);
    }

    [Fact]
    public async Task TwoReplicasClaimingTogetherDayAfterDayQueueEachSlotOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await CreateDatabaseAsync(timeout.Token);
        await using var database = NpgsqlDataSource.Create(connectionString);
        var clock = new FakeTimeProvider(Start);
        await new LocalBackupSettingsStore(database, clock, Berlin).SaveAsync(DailyAt0300, timeout.Token);
        await using var replicaA = NpgsqlDataSource.Create(connectionString);
        await using var replicaB = NpgsqlDataSource.Create(connectionString);
        var storeA = new LocalBackupSettingsStore(replicaA, clock, Berlin);
        var storeB = new LocalBackupSettingsStore(replicaB, clock, Berlin);
        var slots = Enumerable.Range(0, 10).Select(day => Tomorrow0300.AddDays(day)).ToList();

        foreach (var slot in slots)
        {
            clock.SetUtcNow(slot);
            await Task.WhenAll(
                Task.Run(() => storeA.ClaimDueSlotAsync(Queue(timeout.Token), timeout.Token), timeout.Token),
                Task.Run(() => storeB.ClaimDueSlotAsync(Queue(timeout.Token), timeout.Token), timeout.Token));
        }

        Assert.Equal(slots, await QueuedSlotsAsync(database, timeout.Token));
    }

    [Fact]
    public async Task ClaimWhoseQueueFailsLeavesTheSlotDue()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await CreateDatabaseAsync(timeout.Token);
        await using var database = NpgsqlDataSource.Create(connectionString);
        var clock = new FakeTimeProvider(Start);
        var store = new LocalBackupSettingsStore(database, clock, Berlin);
        await store.SaveAsync(DailyAt0300, timeout.Token);
        clock.SetUtcNow(Tomorrow0300);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.ClaimDueSlotAsync(
            async (settings, connection, transaction) =>
            {
                await Queue(timeout.Token)(settings, connection, transaction);
                throw new InvalidOperationException("broker down");
            },
            timeout.Token));

        Assert.Equal(0, await CountQueuedAsync(database, timeout.Token));
        Assert.Equal(Tomorrow0300, (await store.GetAsync(timeout.Token)).NextRun);
        Assert.NotNull(await store.ClaimDueSlotAsync(Queue(timeout.Token), timeout.Token));
    }

    [Fact]
    public async Task DisabledSettingsNeverClaim()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await CreateDatabaseAsync(timeout.Token);
        await using var database = NpgsqlDataSource.Create(connectionString);
        var clock = new FakeTimeProvider(Start);
        var store = new LocalBackupSettingsStore(database, clock, Berlin);
        await store.SaveAsync(DailyAt0300, timeout.Token);
        await store.SaveAsync(DailyAt0300 with { Enabled = false }, timeout.Token);
        clock.Advance(TimeSpan.FromDays(10));

        var claimed = await store.ClaimDueSlotAsync(Queue(timeout.Token), timeout.Token);

        Assert.Null(claimed);
        Assert.Equal(0, await CountQueuedAsync(database, timeout.Token));
    }

    [Fact]
    public async Task DefaultSettingsNeverClaim()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await CreateDatabaseAsync(timeout.Token);
        await using var database = NpgsqlDataSource.Create(connectionString);
        var clock = new FakeTimeProvider(Start);
        var store = new LocalBackupSettingsStore(database, clock, Berlin);
        clock.Advance(TimeSpan.FromDays(10));

        var claimed = await store.ClaimDueSlotAsync(Queue(timeout.Token), timeout.Token);

        Assert.Null(claimed);
        Assert.Equal(0, await CountQueuedAsync(database, timeout.Token));
    }

    [Fact]
    public async Task S3SettingsRoundTripWithTheProtectedSecretKeyStoredAsGiven()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await CreateDatabaseAsync(timeout.Token);
        await using var database = NpgsqlDataSource.Create(connectionString);
        var store = new LocalBackupSettingsStore(database, new FakeTimeProvider(Start), Berlin);
        var s3 = new S3Settings(true, "minio.lan:9000", "bambuddy", "backups/", "eu-central-1", "AKIAEXAMPLE", false, "CfDJ8protected+/=secret");

        await store.SaveAsync(DailyAt0300 with { S3 = s3 }, timeout.Token);

        var read = await store.GetAsync(timeout.Token);
        Assert.Equal(s3, read.S3);
        Assert.Equal("CfDJ8protected+/=secret", await StoredSecretAsync(database, timeout.Token));
    }

    [Fact]
    public async Task RemovingS3SettingsReadsBackNone()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await CreateDatabaseAsync(timeout.Token);
        await using var database = NpgsqlDataSource.Create(connectionString);
        var store = new LocalBackupSettingsStore(database, new FakeTimeProvider(Start), Berlin);
        var s3 = new S3Settings(false, "s3.amazonaws.com", "bucket", "", "us-east-1", "AK", true, null);
        await store.SaveAsync(DailyAt0300 with { S3 = s3 }, timeout.Token);

        await store.SaveAsync(DailyAt0300 with { S3 = null }, timeout.Token);

        Assert.Null((await store.GetAsync(timeout.Token)).S3);
    }

    /// <summary>A fresh database with the settings table and a queue table that the callback writes in the claim's transaction.</summary>
    private async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var connectionString = await server.CreateDatabaseAsync($"lbs_{Guid.NewGuid():N}", cancellationToken);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(LocalBackupSettingsStore.Ddl + "; CREATE TABLE queued_backups (due timestamptz NOT NULL);");
        await command.ExecuteNonQueryAsync(cancellationToken);
        return connectionString;
    }

    /// <summary>The caller's queueing, as the outbox does it: one row in the claim's own transaction.</summary>
    private static Func<LocalBackupSettings, NpgsqlConnection, NpgsqlTransaction, Task> Queue(CancellationToken cancellationToken) =>
        async (settings, connection, transaction) =>
        {
            await using var command = new NpgsqlCommand("INSERT INTO queued_backups (due) VALUES ($1)", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = settings.NextRun!.Value.UtcDateTime });
            await command.ExecuteNonQueryAsync(cancellationToken);
        };

    private static async Task<int> CountQueuedAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT count(*)::int FROM queued_backups");
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<List<DateTimeOffset>> QueuedSlotsAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT due FROM queued_backups ORDER BY due");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var slots = new List<DateTimeOffset>();
        while (await reader.ReadAsync(cancellationToken))
        {
            slots.Add(new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero));
        }

        return slots;
    }

    private static async Task<string?> StoredSecretAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT s3->>'ProtectedSecretKey' FROM local_backup_settings WHERE id = 1");
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Returns once <paramref name="count"/> other sessions wait on a row lock: a condition, not a delay.</summary>
    private static async Task WaitForLockWaitersAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int count, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            DO $$
            BEGIN
                WHILE (SELECT count(*) FROM pg_stat_activity
                       WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock') < $count$ LOOP
                    PERFORM pg_sleep(0.01);
                    PERFORM pg_stat_clear_snapshot();
                END LOOP;
            END
            $$;
            """.Replace("$count$", count.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
