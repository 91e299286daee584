using Bambuddy.Contracts;
using Bambuddy.Scheduler.GitBackups;
using Bambuddy.Scheduler.Jobs;
using Bambuddy.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Bambuddy.Scheduler.Tests.GitBackups;

[Collection(PostgresCollection.Name)]
public sealed class GitBackupScheduleTests(PostgresServer server)
{
    // Wednesday 11:00 in Berlin (CET, UTC+1); midnight in Berlin is 23:00Z.
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ThursdayMidnight = new(2026, 11, 25, 23, 0, 0, TimeSpan.Zero);

    private static readonly TimeZoneInfo Berlin = GitBackupWorld.Berlin.Value;
    private static readonly GitBackupConfig Daily = GitBackupConfig.New("https://github.com/owner/repo", "x") with { ScheduleEnabled = true };

    [Theory]
    [InlineData("hourly", "2026-11-25T11:00:00Z")]
    [InlineData("daily", "2026-11-25T23:00:00Z")]
    [InlineData("weekly", "2026-11-28T23:00:00Z")]
    public void NextRunIsTheNextHourMidnightOrSundayMidnightInTz(string scheduleType, string expected)
    {
        var next = GitBackupSchedule.NextRun(Daily with { ScheduleType = scheduleType }, Start, Berlin);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), next);
    }

    [Fact]
    public void DailyAcrossSpringForwardStaysAtMidnightLocal()
    {
        // Berlin 2026-03-29 02:00 CET jumps to 03:00 CEST: midnight is 23:00Z before and 22:00Z after.
        var first = GitBackupSchedule.NextRun(Daily, new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero), Berlin)!.Value;
        var second = GitBackupSchedule.NextRun(Daily, first, Berlin)!.Value;

        Assert.Equal(new DateTimeOffset(2026, 3, 28, 23, 0, 0, TimeSpan.Zero), first.ToUniversalTime());
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 22, 0, 0, TimeSpan.Zero), second.ToUniversalTime());
        Assert.Equal(TimeSpan.FromHours(23), second - first);
    }

    [Fact]
    public void WeeklyAcrossFallBackStaysAtSundayMidnightLocal()
    {
        // Berlin 2026-10-25 03:00 CEST falls back to 02:00 CET: that week has 169 hours.
        var first = GitBackupSchedule.NextRun(Daily with { ScheduleType = "weekly" }, new DateTimeOffset(2026, 10, 20, 12, 0, 0, TimeSpan.Zero), Berlin)!.Value;
        var second = GitBackupSchedule.NextRun(Daily with { ScheduleType = "weekly" }, first, Berlin)!.Value;

        Assert.Equal(new DateTimeOffset(2026, 10, 24, 22, 0, 0, TimeSpan.Zero), first.ToUniversalTime());
        Assert.Equal(new DateTimeOffset(2026, 10, 31, 23, 0, 0, TimeSpan.Zero), second.ToUniversalTime());
        Assert.Equal(DayOfWeek.Sunday, TimeZoneInfo.ConvertTime(second, GitBackupWorld.Berlin.Value).DayOfWeek);
        Assert.Equal(TimeSpan.FromHours(169), second - first);
    }

    [Fact]
    public void HourlyAcrossSpringForwardSkipsTheHourThatDoesNotExist()
    {
        var runs = new List<DateTimeOffset>();
        var after = new DateTimeOffset(2026, 3, 28, 23, 30, 0, TimeSpan.Zero);
        for (var i = 0; i < 4; i++)
        {
            after = GitBackupSchedule.NextRun(Daily with { ScheduleType = "hourly" }, after, Berlin)!.Value;
            runs.Add(after.ToUniversalTime());
        }

        // 01:00, 02:00 CET, then 03:00 and 04:00 CEST: one real hour apart each time.
        Assert.Equal(
            [
                new DateTimeOffset(2026, 3, 29, 0, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2026, 3, 29, 2, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.Zero),
            ],
            runs);
    }

    [Fact]
    public void ScheduleOffOrBackupOffHasNoNextRun()
    {
        Assert.Null(GitBackupSchedule.NextRun(Daily with { ScheduleEnabled = false }, Start, Berlin));
        Assert.Null(GitBackupSchedule.NextRun(Daily with { Enabled = false }, Start, Berlin));
    }

    [Fact]
    public async Task SavingAScheduleChangeReschedulesAtOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        var daily = await world.SaveConfigAsync(timeout.Token, c => c with { ScheduleEnabled = true });
        world.Clock.Advance(TimeSpan.FromMinutes(10));

        var hourly = await world.Configs.SaveAsync(daily with { ScheduleType = "hourly" }, timeout.Token);
        var off = await world.Configs.SaveAsync(hourly with { ScheduleEnabled = false }, timeout.Token);

        Assert.Equal(ThursdayMidnight, daily.NextScheduledRun);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 11, 0, 0, TimeSpan.Zero), hourly.NextScheduledRun);
        Assert.Null(off.NextScheduledRun);
        Assert.Null((await world.Configs.GetAsync(timeout.Token))!.NextScheduledRun);
    }

    [Fact]
    public async Task ClaimBeforeTheSlotQueuesNothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        await world.SaveConfigAsync(timeout.Token, c => c with { ScheduleEnabled = true });
        world.Clock.SetUtcNow(ThursdayMidnight.AddTicks(-10));

        var claimed = await world.Configs.ClaimDueSlotAsync(Queue(world, timeout.Token), timeout.Token);

        Assert.Null(claimed);
        Assert.Equal(0L, await CountRunsAsync(world, timeout.Token));
    }

    [Fact]
    public async Task MissedSlotsCollapseIntoOneScheduledRun()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        await world.SaveConfigAsync(timeout.Token, c => c with { ScheduleEnabled = true });
        world.Clock.Advance(TimeSpan.FromDays(3));

        var claimed = await world.Configs.ClaimDueSlotAsync(Queue(world, timeout.Token), timeout.Token);
        var again = await world.Configs.ClaimDueSlotAsync(Queue(world, timeout.Token), timeout.Token);

        Assert.NotNull(claimed);
        Assert.Null(again);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 23, 0, 0, TimeSpan.Zero), claimed.NextScheduledRun);
        Assert.Equal(claimed.NextScheduledRun, (await world.Configs.GetAsync(timeout.Token))!.NextScheduledRun);
        Assert.Equal(1L, await CountRunsAsync(world, timeout.Token));
        Assert.Equal(Triggers.Scheduled, Assert.Single(await world.Logs.ListAsync(50, 0, timeout.Token)).Trigger);
    }

    [Fact]
    public async Task TwoReplicasWaitingOnTheSameDueSlotQueueItOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        await world.SaveConfigAsync(timeout.Token, c => c with { ScheduleEnabled = true });
        world.Clock.SetUtcNow(ThursdayMidnight);
        await using var replicaA = NpgsqlDataSource.Create(world.ConnectionString);
        await using var replicaB = NpgsqlDataSource.Create(world.ConnectionString);
        var storeA = new GitBackupConfigStore(replicaA, world.Clock, GitBackupWorld.Berlin);
        var storeB = new GitBackupConfigStore(replicaB, world.Clock, GitBackupWorld.Berlin);
        // Hold the row so that both replicas are queued up on its lock before either can read it.
        await using var holder = await world.Database.OpenConnectionAsync(timeout.Token);
        await using var hold = await holder.BeginTransactionAsync(timeout.Token);
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM git_backup_config FOR UPDATE", holder, hold))
        {
            await lockRow.ExecuteNonQueryAsync(timeout.Token);
        }

        var claimA = storeA.ClaimDueSlotAsync(Queue(world, timeout.Token), timeout.Token);
        var claimB = storeB.ClaimDueSlotAsync(Queue(world, timeout.Token), timeout.Token);
        await WaitForLockWaitersAsync(holder, hold, 2, timeout.Token);
        await hold.RollbackAsync(timeout.Token);
        var claims = await Task.WhenAll(claimA, claimB);

        Assert.Single(claims, c => c is not null);
        Assert.Equal(1L, await CountRunsAsync(world, timeout.Token));
        Assert.Equal(ThursdayMidnight.AddDays(1), (await world.Configs.GetAsync(timeout.Token))!.NextScheduledRun);
    }

    [Fact]
    public async Task TwoReplicasClaimingTogetherHourAfterHourQueueEachSlotOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        await world.SaveConfigAsync(timeout.Token, c => c with { ScheduleEnabled = true, ScheduleType = "hourly" });
        await using var replicaA = NpgsqlDataSource.Create(world.ConnectionString);
        await using var replicaB = NpgsqlDataSource.Create(world.ConnectionString);
        var storeA = new GitBackupConfigStore(replicaA, world.Clock, GitBackupWorld.Berlin);
        var storeB = new GitBackupConfigStore(replicaB, world.Clock, GitBackupWorld.Berlin);

        for (var hour = 1; hour <= 8; hour++)
        {
            world.Clock.SetUtcNow(Start.AddHours(hour));
            await Task.WhenAll(
                Task.Run(() => storeA.ClaimDueSlotAsync(Queue(world, timeout.Token), timeout.Token), timeout.Token),
                Task.Run(() => storeB.ClaimDueSlotAsync(Queue(world, timeout.Token), timeout.Token), timeout.Token));
            await EndRunningAsync(world, timeout.Token);
        }

        Assert.Equal(8L, await CountRunsAsync(world, timeout.Token));
    }

    [Fact]
    public async Task AClaimWaitingForAManualRunDoesNotDeadlockWithIt()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        var config = await world.SaveConfigAsync(timeout.Token, c => c with { ScheduleEnabled = true });
        world.Clock.SetUtcNow(ThursdayMidnight);
        // A manual run midway: it holds the git-backup lock and is about to insert its log row.
        await using var manual = await world.Database.OpenConnectionAsync(timeout.Token);
        await using var manualTransaction = await manual.BeginTransactionAsync(timeout.Token);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({GitBackupRuns.GitBackupLockKey})", manual, manualTransaction))
        {
            await take.ExecuteNonQueryAsync(timeout.Token);
        }

        // The claim locks the settings row, then waits for the git-backup lock.
        var claim = world.Configs.ClaimDueSlotAsync(Queue(world, timeout.Token), timeout.Token);
        await WaitForLockWaitersAsync(manual, manualTransaction, 1, timeout.Token);
        // The log row's foreign key needs KEY SHARE on the settings row the claim holds.
        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO git_backup_logs (job_id, config_id, status, trigger) VALUES (gen_random_uuid(), {config.Id}, 'skipped', 'manual')", manual, manualTransaction))
        {
            await insert.ExecuteNonQueryAsync(timeout.Token);
        }

        await manualTransaction.CommitAsync(timeout.Token);
        var claimed = await claim;

        Assert.NotNull(claimed);
        Assert.Equal(1L, await CountRunsAsync(world, timeout.Token));
        Assert.Equal(2L, await world.ScalarAsync<long>("SELECT count(*) FROM git_backup_logs", timeout.Token));
    }

    [Fact]
    public async Task ASlotDueWhileAGitBackupRunsIsSkippedNotQueued()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        var config = await world.SaveConfigAsync(timeout.Token, c => c with { ScheduleEnabled = true });
        var manual = await world.Runs.QueueAsync(config, Triggers.Manual, timeout.Token);
        world.Clock.SetUtcNow(ThursdayMidnight);
        GitRunQueued? queued = null;

        var claimed = await world.Configs.ClaimDueSlotAsync(async (c, connection, transaction) =>
            queued = await world.Runs.QueueAsync(connection, transaction, c, Triggers.Scheduled, timeout.Token), timeout.Token);

        Assert.NotNull(claimed);
        Assert.Equal(manual.JobId, queued?.ConflictingJobId);
        Assert.Equal(1L, await CountRunsAsync(world, timeout.Token));
        Assert.Equal(ThursdayMidnight.AddDays(1), (await world.Configs.GetAsync(timeout.Token))!.NextScheduledRun);
    }

    [Fact]
    public async Task DisabledBackupNeverClaimsItsSchedule()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        await world.SaveConfigAsync(timeout.Token, c => c with { ScheduleEnabled = true, Enabled = false });
        world.Clock.Advance(TimeSpan.FromDays(10));

        var claimed = await world.Configs.ClaimDueSlotAsync(Queue(world, timeout.Token), timeout.Token);

        Assert.Null(claimed);
        Assert.Equal(0L, await CountRunsAsync(world, timeout.Token));
    }

    [Fact]
    public async Task TheRunnerPublishesTheDueRunToTheWorker()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var world = await GitBackupWorld.StartAsync(server, Start, timeout.Token);
        await world.SaveConfigAsync(timeout.Token, c => c with { ScheduleEnabled = true, BackupArchives = true });
        world.GitSync.RunAnswer = jobId => new GitBackupCompleted(jobId, "success", "pushed", "ab".PadRight(40, 'c'), 2, ThursdayMidnight);
        world.Clock.SetUtcNow(ThursdayMidnight.AddMinutes(1));
        var runner = new GitScheduleRunner(world.Configs, world.Runs, world.Publisher, world.Options, NullLogger<GitScheduleRunner>.Instance);

        var jobId = await runner.RunDueAsync(timeout.Token);
        var none = await runner.RunDueAsync(timeout.Token);

        Assert.NotNull(jobId);
        Assert.Null(none);
        var job = await world.Waiter.WaitForEndAsync(jobId.Value, timeout.Token);
        Assert.Equal((Bambuddy.Core.Jobs.JobStates.Succeeded, Triggers.Scheduled), (job.State, job.Trigger));
        var run = Assert.Single(world.GitSync.Runs);
        Assert.Equal((Triggers.Scheduled, true), (run.Trigger, run.Contents.Archives));
        Assert.Equal("success", (await world.Logs.GetByJobAsync(jobId.Value, timeout.Token))!.Status);
    }

    private static Func<GitBackupConfig, NpgsqlConnection, NpgsqlTransaction, Task> Queue(GitBackupWorld world, CancellationToken cancellationToken)
        => (config, connection, transaction) => world.Runs.QueueAsync(connection, transaction, config, Triggers.Scheduled, cancellationToken);

    private static Task<long> CountRunsAsync(GitBackupWorld world, CancellationToken cancellationToken)
        => world.ScalarAsync<long>($"SELECT count(*) FROM jobs WHERE kind = '{JobKinds.GitBackup}'", cancellationToken);

    /// <summary>Ends the running git backup, as its worker would, so the next slot is not a conflict.</summary>
    private static Task EndRunningAsync(GitBackupWorld world, CancellationToken cancellationToken)
        => world.ExecuteAsync("UPDATE jobs SET state = 'succeeded', finished_at = now(), result = '{\"status\":\"success\"}' WHERE state IN ('queued', 'running')", cancellationToken);

    /// <summary>Returns once <paramref name="count"/> other sessions wait on a lock: a condition, not a delay.</summary>
    private static async Task WaitForLockWaitersAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int count, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($$"""
            DO $$
            BEGIN
                WHILE (SELECT count(*) FROM pg_stat_activity
                       WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock') < {{count}} LOOP
                    PERFORM pg_sleep(0.01);
                    PERFORM pg_stat_clear_snapshot();
                END LOOP;
            END
            $$;
            """, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
