using Dapper;
using Provocapi.Host.Modules.Adapters;
using Provocapi.Host.Modules.Batch;
using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Modules.Keys.RateLimits;
using Microsoft.Extensions.Options;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Server;
using Provocapi.Host.Store;

namespace Provocapi.Host.Tests.Store;

/// <summary>What every store must do, run on SQLite and (where configured) PostgreSQL: one suite, one behaviour.</summary>
public sealed class StoreContractTests
{
    [Fact]
    public void Every_migration_has_a_sqlite_and_a_postgres_version_except_the_sqlite_only_usage_table()
    {
        Assert.NotEmpty(SchemaMigrations.Sqlite);
        Assert.Equal(SchemaMigrations.Sqlite.Select(m => m.Version).Order(), SchemaMigrations.Sqlite.Select(m => m.Version));
        Assert.Equal(SchemaMigrations.Postgres.Select(m => m.Version).Order(), SchemaMigrations.Postgres.Select(m => m.Version));
        Assert.Equal(
            SchemaMigrations.Sqlite.Where(m => !SchemaMigrations.SqliteOnly.Contains(m.Version)).Select(m => (m.Version, m.Name)),
            SchemaMigrations.Postgres.Select(m => (m.Version, m.Name)));
        Assert.Contains(SchemaMigrations.Sqlite, m => m.Name == "usage_requests");
        Assert.Contains(SchemaMigrations.Postgres, m => m.Name == "rate_buckets");
    }

    [Fact]
    public void Sqlite_store_runs_in_wal_mode()
    {
        using var store = TestStore.Sqlite();
        using var connection = store.Migrated().Open();
        Assert.Equal("wal", connection.ExecuteScalar<string>("PRAGMA journal_mode"));
    }

    [Theory]
    [MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public async Task Migrations_apply_once_even_when_four_processes_start_at_once(string backend)
    {
        using var store = StoreBackends.Fresh(backend);
        var processes = Enumerable.Range(0, 4).Select(_ => store.Connect()).ToList();
        await Task.WhenAll(processes.Select(p => Task.Run(() => p.Migrate())));
        processes[0].Migrate();
        using var connection = processes[0].Open();
        var expected = SchemaMigrations.For(processes[0].Dialect).Select(m => (long)m.Version);
        Assert.Equal(expected, connection.Query<long>("SELECT version FROM schema_migrations ORDER BY version"));
        Assert.Equal(0, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM rate_buckets"));
    }

    [Theory]
    [MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void Keys_are_created_found_listed_and_revoked(string backend)
    {
        using var store = StoreBackends.Fresh(backend);
        var keys = new KeyStore(store.Migrated());

        var first = keys.CreateKey("acme", null);
        Assert.True(first.TenantCreated);
        Assert.Equal(Tier.Shared, first.Tenant.Tier);
        var second = keys.CreateKey("acme", Tier.Reserved);
        Assert.False(second.TenantCreated);
        Assert.True(second.TierChanged);
        Assert.Equal(first.Tenant.Id, second.Tenant.Id);
        keys.CreateKey("other", Tier.Dedicated);

        Assert.Equal(new KeyStore.Tenant(first.Tenant.Id, "acme", Tier.Reserved), keys.FindTenant("acme"));
        Assert.Null(keys.FindTenant("nobody"));
        var found = keys.FindByPrefix(ApiKey.PrefixOf(first.Key)!)!;
        Assert.True(ApiKey.Matches(first.Key, found.Hash));
        Assert.False(ApiKey.Matches(second.Key, found.Hash));
        Assert.Equal(("acme", Tier.Reserved, false), (found.TenantName, found.Tier, found.Revoked));
        Assert.Null(keys.FindByPrefix("pk-nothing"));

        Assert.Equal(3, keys.List().Count);
        var acme = keys.List("acme");
        Assert.Equal(2, acme.Count);
        Assert.All(acme, k => Assert.Equal(("acme", Tier.Reserved, (DateTimeOffset?)null), (k.TenantName, k.Tier, k.RevokedAt)));

        // Too short a prefix matches both of acme's keys and revokes neither; the full prefix revokes one.
        Assert.True(keys.Revoke("").Count >= 2);
        Assert.All(keys.List(), k => Assert.Null(k.RevokedAt));
        var prefix = ApiKey.PrefixOf(second.Key)!;
        Assert.Equal([prefix], keys.Revoke(prefix));
        Assert.True(keys.FindByPrefix(prefix)!.Revoked);
        Assert.False(keys.FindByPrefix(ApiKey.PrefixOf(first.Key)!)!.Revoked);
        Assert.Empty(keys.Revoke(prefix));
    }

    [Theory]
    [MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void Adapters_are_inserted_once_per_name_read_per_tenant_moved_through_their_states_and_deleted(string backend)
    {
        using var store = StoreBackends.Fresh(backend);
        var database = store.Migrated();
        var keys = new KeyStore(database);
        var acme = keys.CreateKey("acme", null).Tenant.Id;
        var other = keys.CreateKey("other", null).Tenant.Id;
        var adapters = new AdapterStore(database);
        AdapterStore.StoredAdapter Adapter(string tenant, string name, long createdAt) =>
            new(AdapterStore.NewId(), tenant, name, "demo", "peft", "owner/repo", "main", "pending", null, null, null, null, null, createdAt);

        var bot = Adapter(acme, "bot", 100);
        Assert.True(adapters.TryInsert(bot));
        Assert.False(adapters.TryInsert(Adapter(acme, "bot", 101)));
        Assert.True(adapters.TryInsert(Adapter(other, "bot", 102)));
        var second = Adapter(acme, "second", 103);
        Assert.True(adapters.TryInsert(second));
        Assert.True(adapters.NameTaken(acme, "bot"));
        Assert.False(adapters.NameTaken(acme, "missing"));

        Assert.Equal(bot, adapters.Get(acme, bot.Id));
        Assert.Null(adapters.Get(other, bot.Id));
        Assert.Equal([bot.Id, second.Id], adapters.List(acme).Select(a => a.Id));

        adapters.SetDownloading(bot.Id);
        Assert.Equal(3, adapters.WithStatus("pending", "downloading").Count);
        Assert.True(adapters.SetReady(bot.Id, "gguf", new AdapterStore.Description(16, 32f, ["q_proj", "v_proj"], 4096)));
        var ready = adapters.Get(acme, bot.Id)!;
        Assert.Equal(("ready", "gguf", 16L, 32.0, "q_proj,v_proj", 4096L), (ready.Status, ready.Format, ready.Rank, ready.Alpha, ready.TargetModules, ready.SizeBytes));
        Assert.Equal([bot.Id], adapters.WithStatus("ready").Select(a => a.Id));
        adapters.SetFailed(second.Id, "the hub said no");
        Assert.Equal(("failed", "the hub said no"), (adapters.Get(acme, second.Id)!.Status, adapters.Get(acme, second.Id)!.Failure));

        Assert.False(adapters.Delete(other, bot.Id));
        Assert.True(adapters.Delete(acme, bot.Id));
        Assert.False(adapters.SetReady(bot.Id, "peft", new AdapterStore.Description(8, 8f, ["q_proj"], 1)));
        Assert.Equal([second.Id], adapters.List(acme).Select(a => a.Id));
    }

    [Theory]
    [MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void Batch_jobs_list_newest_first_and_page_after_a_job(string backend)
    {
        using var store = StoreBackends.Fresh(backend);
        var batches = new BatchStore(store.Migrated(), Node());
        // Same second for all: the order is the order of insertion.
        var ids = Enumerable.Range(0, 5).Select(i => $"batch_{i}").ToList();
        foreach (var id in ids) batches.Insert(Job(id, "ten_a", createdAt: 1000));
        batches.Insert(Job("batch_other", "ten_b", createdAt: 1000));

        Assert.Equal(["batch_4", "batch_3", "batch_2", "batch_1", "batch_0"], batches.List("ten_a", 10, null).Select(j => j.Id));
        Assert.Equal(["batch_4", "batch_3"], batches.List("ten_a", 2, null).Select(j => j.Id));
        Assert.Equal(["batch_2", "batch_1"], batches.List("ten_a", 2, "batch_3").Select(j => j.Id));
        Assert.Empty(batches.List("ten_a", 2, "batch_0"));
        Assert.Equal(["batch_other"], batches.List("ten_b", 10, null).Select(j => j.Id));
        Assert.Equal(Job("batch_2", "ten_a", 1000), batches.Find("batch_2", "ten_a"));
        Assert.Null(batches.Find("batch_2", "ten_b"));
        Assert.Equal(5, batches.CountOpen("ten_a"));
        Assert.True(batches.Move("batch_0", BatchStatus.Validating, BatchStatus.Failed, 1001, "[\"bad\"]"));
        Assert.False(batches.Move("batch_0", BatchStatus.Validating, BatchStatus.Failed, 1002));
        Assert.Equal(4, batches.CountOpen("ten_a"));
        Assert.Equal((BatchStatus.Failed, 1001L, "[\"bad\"]"), (batches.Find("batch_0", "ten_a")!.Status, batches.Find("batch_0", "ten_a")!.FailedAt, batches.Find("batch_0", "ten_a")!.Errors));
        Assert.Equal(["batch_1", "batch_2", "batch_3", "batch_4", "batch_other"], batches.Overdue(now: 1000 + 86400).Order());
        Assert.Empty(batches.Overdue(now: 1000));
        Assert.Equal(5, batches.ToValidate("any-node").Count);
        Assert.Equal(["batch_1", "batch_2", "batch_3", "batch_4", "batch_other"], batches.ValidatingSince(createdBefore: 1001).Order());
        Assert.Empty(batches.ValidatingSince(createdBefore: 1000));
    }

    [Theory]
    [MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void Batch_lines_are_claimed_finished_once_released_and_complete_their_job(string backend)
    {
        using var store = StoreBackends.Fresh(backend);
        var batches = new BatchStore(store.Migrated(), Node());
        // Leases that never pass here (the next test is about those).
        var day = TimeSpan.FromDays(1);
        // An idle runner claims on every poll: an empty answer must map (SQLite types columns from rows).
        Assert.Empty(batches.Claim(4, At(1000), day));

        batches.Insert(Job("batch_a", "ten_a", 1000));
        batches.Insert(Job("batch_b", "ten_a", 1000));
        Assert.True(batches.Start("batch_a", [Line(0), Line(1), Line(2)], 1001));
        Assert.False(batches.Start("batch_a", [Line(0), Line(1), Line(2)], 1001));
        batches.Start("batch_b", [Line(0)], 1001);
        Assert.Equal((BatchStatus.InProgress, 3L, 1001L), (batches.Find("batch_a", "ten_a")!.Status, batches.Find("batch_a", "ten_a")!.TotalRequests, batches.Find("batch_a", "ten_a")!.InProgressAt));

        var claimed = batches.Claim(2, At(1002), day);
        Assert.Equal([("batch_a", 0L), ("batch_a", 1L)], claimed.Select(l => (l.JobId, l.Line)));
        Assert.Equal(("custom-1", "/v1/chat/completions", "ten_a", 1L), (claimed[1].CustomId, claimed[1].Url, claimed[1].TenantId, claimed[1].Attempt));

        // Finishing twice counts once; a failure counts as failed.
        batches.Finish(claimed[0], new LineResult(200, "req_0", "{\"ok\":0}", null, null), 1003);
        batches.Finish(claimed[0], new LineResult(200, "req_0", "{\"ok\":0}", null, null), 1003);
        batches.Finish(claimed[1], new LineResult(400, "req_1", "{}", "invalid", "bad line"), 1003);
        var job = batches.Find("batch_a", "ten_a")!;
        Assert.Equal((1L, 1L), (job.CompletedCount, job.FailedCount));

        // A released line waits for its time, then is claimed again with its attempt counted.
        var next = batches.Claim(1, At(1004), day);
        Assert.Equal(("batch_a", 2L), (next[0].JobId, next[0].Line));
        batches.Release(next[0], notBefore: 2000);
        Assert.Equal([("batch_b", 0L)], batches.Claim(5, At(1005), day).Select(l => (l.JobId, l.Line)));
        Assert.Empty(batches.Claim(5, At(1999), day));
        var retried = Assert.Single(batches.Claim(5, At(2000), day));
        Assert.Equal((2L, 2L), (retried.Line, retried.Attempt));
        Assert.Empty(batches.CompleteFinished(2001));

        batches.Finish(retried, new LineResult(200, "req_2", "{\"ok\":2}", null, null), 2002);
        Assert.Equal(["batch_a"], batches.CompleteFinished(2003));
        Assert.Equal((BatchStatus.Completed, 2003L, 2L), (batches.Find("batch_a", "ten_a")!.Status, batches.Find("batch_a", "ten_a")!.CompletedAt, batches.Find("batch_a", "ten_a")!.CompletedCount));
        Assert.Equal([(0L, 200L, "req_0"), (1L, 400L, "req_1"), (2L, 200L, "req_2")], batches.Results("batch_a").Select(r => (r.Line, r.StatusCode, r.RequestId)));
        Assert.Contains("bad line", batches.Results("batch_a").ElementAt(1).Error);

        // batch_b's line was claimed and never finished: after a restart it runs again.
        Assert.Equal(1, batches.ResetRunning());
        Assert.Single(batches.Claim(5, At(3000), day));
    }

    [Theory]
    [MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public async Task Two_processes_claiming_at_once_never_get_the_same_line(string backend)
    {
        using var store = StoreBackends.Fresh(backend);
        var setup = new BatchStore(store.Migrated(), Node());
        for (var j = 0; j < 4; j++)
        {
            setup.Insert(Job($"batch_{j}", "ten_a", 1000));
            setup.Start($"batch_{j}", Enumerable.Range(0, 100).Select(Line).ToList(), 1001);
        }
        // Two processes (each its own Database and instance), four claimers each, taking a few lines at a time until none is left.
        var processes = Enumerable.Range(0, 2).Select(_ => new BatchStore(store.Connect(), Node())).ToList();
        // Each opens its connection pool before the race, so neither finds the work gone when it arrives.
        foreach (var process in processes) Assert.Empty(process.Claim(0, At(1002), Lease));
        using var start = new Barrier(8);
        var claims = await Task.WhenAll(processes.SelectMany(p => Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            var mine = new List<(string, long)>();
            // Each claim is followed by a moment's "running", as a runner's is, so the claimers interleave.
            while (p.Claim(2, At(1002), Lease) is { Count: > 0 } lines)
            {
                mine.AddRange(lines.Select(l => (l.JobId, l.Line)));
                Thread.Sleep(1);
            }
            return mine;
        }, TaskCreationOptions.LongRunning))));
        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(400, all.Distinct().Count());
        Assert.Equal(400, all.Count);
        Assert.NotEmpty(claims.Take(4).SelectMany(c => c));
        Assert.NotEmpty(claims.Skip(4).SelectMany(c => c));
    }

    [Theory]
    [MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void A_lease_that_passes_goes_to_another_process_and_the_old_holder_records_nothing(string backend)
    {
        using var store = StoreBackends.Fresh(backend);
        var first = new BatchStore(store.Migrated(), Node());
        var second = new BatchStore(store.Connect(), Node());
        first.Insert(Job("batch_a", "ten_a", 1000));
        first.Start("batch_a", [Line(0), Line(1)], 1000);

        var held = first.Claim(5, At(1000), TimeSpan.FromSeconds(30));
        Assert.Equal(2, held.Count);
        // Live leases: nothing to take. Renewed at 1020 until 1050, they are still live at 1040.
        Assert.Empty(second.Claim(5, At(1029), Lease));
        Assert.Equal(2, first.Renew(held, At(1050)));
        Assert.Empty(second.Claim(5, At(1040), Lease));
        Assert.True(first.Finish(held[0], new LineResult(200, "req_first_0", "{}", null, null), 1041));

        // The holder stops renewing (it died, or stalled): once its lease passes, the other process takes the line.
        var taken = Assert.Single(second.Claim(5, At(1051), Lease));
        Assert.Equal((1L, 2L), (taken.Line, taken.Attempt));
        // The old holder comes back: it can neither renew, release nor record the line, which counts once, the new holder's.
        Assert.Equal(0, first.Renew(held, At(1100)));
        Assert.False(first.Release(held[1], 1052));
        Assert.False(first.Finish(held[1], new LineResult(200, "req_first_1", "{}", null, null), 1052));
        Assert.True(second.Finish(taken, new LineResult(200, "req_second_1", "{}", null, null), 1053));
        Assert.False(second.Finish(taken, new LineResult(200, "req_second_1", "{}", null, null), 1053));
        Assert.Equal(["batch_a"], first.CompleteFinished(1054));
        Assert.Equal(2L, first.Find("batch_a", "ten_a")!.CompletedCount);
        Assert.Equal([(0L, "req_first_0"), (1L, "req_second_1")], first.Results("batch_a").Select(r => (r.Line, r.RequestId)));
    }

    [Theory]
    [MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void A_line_whose_lease_runs_out_three_times_is_failed_not_run_again(string backend)
    {
        using var store = StoreBackends.Fresh(backend);
        var batches = new BatchStore(store.Migrated(), Node());
        batches.Insert(Job("batch_a", "ten_a", 1000));
        batches.Start("batch_a", [Line(0)], 1000);
        var lease = TimeSpan.FromSeconds(10);

        // Each holder dies with the line: its lease runs out, and the line goes to the next claimer, twice.
        Assert.Equal(1L, Assert.Single(batches.Claim(5, At(1000), lease)).Attempt);
        Assert.Equal(2L, Assert.Single(batches.Claim(5, At(1011), lease)).Attempt);
        Assert.Equal(3L, Assert.Single(batches.Claim(5, At(1022), lease)).Attempt);
        // The third time it is recorded as failed, once, however many claimers look.
        Assert.Empty(batches.Claim(5, At(1033), lease));
        Assert.Empty(batches.Claim(5, At(1034), lease));
        var job = batches.Find("batch_a", "ten_a")!;
        Assert.Equal((0L, 1L), (job.CompletedCount, job.FailedCount));
        var result = Assert.Single(batches.Results("batch_a"));
        Assert.Equal(500L, result.StatusCode);
        Assert.Contains("line_abandoned", result.Error);
        Assert.Equal(["batch_a"], batches.CompleteFinished(1035));
    }

    [Theory]
    [MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void Workers_claim_only_their_models_and_a_cancelled_job_waits_for_live_leases_only(string backend)
    {
        using var store = StoreBackends.Fresh(backend);
        var batches = new BatchStore(store.Migrated(), Node());
        batches.Insert(Job("batch_a", "ten_a", 1000) with { InputNode = "gw-1" });
        Assert.Empty(batches.ToValidate("gw-2"));
        Assert.Equal(["batch_a"], batches.ToValidate("gw-1").Select(j => j.Id));
        batches.Start("batch_a", [Line(0), Line(1) with { Model = "other" }, Line(2)], 1000);

        Assert.Empty(batches.Claim(5, At(1000), Lease, [new ClaimableModel("nope", [])]));
        // A model served to other tenants only is no use for this job's tenant.
        Assert.Empty(batches.Claim(5, At(1000), Lease, [new ClaimableModel("other", ["ten_b-name"])]));
        var other = Assert.Single(batches.Claim(5, At(1000), Lease, [new ClaimableModel("other", ["ten_a-name"]), new ClaimableModel("alias", [])]));
        Assert.Equal(1L, other.Line);
        var rest = batches.Claim(5, At(1000), TimeSpan.FromSeconds(10));
        Assert.Equal([0L, 2L], rest.Select(l => l.Line));

        // Cancelling: no line starts, and the job waits while a line holds a live lease.
        Assert.True(batches.Move("batch_a", BatchStatus.InProgress, BatchStatus.Cancelling, 1001));
        Assert.Empty(batches.Claim(5, At(2000), Lease));
        Assert.True(batches.Release(rest[0], 1001));
        Assert.Empty(batches.CancelIdle(At(1005)));
        Assert.True(batches.Finish(other, new LineResult(200, "r", "{}", null, null), 1005));
        Assert.Empty(batches.CancelIdle(At(1009)));
        // Line 2's holder never comes back: once its lease passes, the job is cancelled without it.
        Assert.Equal(["batch_a"], batches.CancelIdle(At(1011)));
        Assert.Equal(BatchStatus.Cancelled, batches.Find("batch_a", "ten_a")!.Status);

        // Its holder finishes after all: a cancelled job takes no more results, and its counts stay as they were.
        Assert.False(batches.Finish(rest[1], new LineResult(200, "late", "{}", null, null), 1012));
        Assert.Equal((1L, 0L), (batches.Find("batch_a", "ten_a")!.CompletedCount, batches.Find("batch_a", "ten_a")!.FailedCount));
        Assert.DoesNotContain(batches.Results("batch_a"), r => r.RequestId == "late");
    }

    [Theory]
    [MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void Store_buckets_take_refuse_refill_and_take_back(string backend)
    {
        using var store = StoreBackends.Fresh(backend);
        var clock = new StoppedClock();
        var buckets = new StoreRateBuckets(store.Migrated(), clock);

        for (var i = 0; i < 60; i++) Assert.True(buckets.TryTake("ten_a", "requests", 60, 1).Taken);
        var refused = buckets.TryTake("ten_a", "requests", 60, 1);
        Assert.Equal((false, 0L), (refused.Taken, refused.Remaining));
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(60), refused.UntilFull);
        Assert.True(buckets.TryTake("ten_b", "requests", 60, 1).Taken);

        // One a second refills.
        clock.Advance(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 10; i++) Assert.True(buckets.TryTake("ten_a", "requests", 60, 1).Taken);
        Assert.False(buckets.TryTake("ten_a", "requests", 60, 1).Taken);

        // More than the capacity never fits; an unused reservation comes back, never past full.
        Assert.True(buckets.TryTake("ten_a", "tokens", 1000, 1000).Taken);
        var tooLarge = buckets.TryTake("ten_a", "tokens", 1000, 1001);
        Assert.Equal((false, TimeSpan.FromMinutes(1)), (tooLarge.Taken, tooLarge.RetryAfter));
        buckets.Give("ten_a", "tokens", 1000, 300);
        var after = buckets.TryTake("ten_a", "tokens", 1000, 300);
        Assert.Equal((true, 0L), (after.Taken, after.Remaining));
        buckets.Give("ten_a", "tokens", 1000, 5000);
        Assert.Equal(999, buckets.TryTake("ten_a", "tokens", 1000, 1).Remaining);

        // A tier change takes effect at once: ten_b's 59 left refilled at the new 2 a second for those 10 s.
        Assert.Equal(78, buckets.TryTake("ten_b", "requests", 120, 1).Remaining);
    }

    [Theory]
    [MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public async Task Two_processes_sharing_a_bucket_never_admit_more_than_it_holds(string backend)
    {
        using var store = StoreBackends.Fresh(backend);
        var clock = new StoppedClock();
        store.Migrated();
        var processes = Enumerable.Range(0, 2).Select(_ => new StoreRateBuckets(store.Connect(), clock)).ToList();
        var taken = 0;
        await Task.WhenAll(processes.SelectMany(p => Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 40; i++)
                if (p.TryTake("ten_a", "requests", 100, 1).Taken) Interlocked.Increment(ref taken);
        }))));
        Assert.Equal(100, taken);
        Assert.Equal(0, processes[0].TryTake("ten_a", "requests", 100, 0).Remaining);
    }

    static BatchJob Job(string id, string tenant, long createdAt) => new()
    {
        Id = id, TenantId = tenant, TenantName = tenant + "-name", Tier = "shared", KeyId = "key_1", Endpoint = "/v1/chat/completions",
        Status = BatchStatus.Validating, InputPath = $"/tmp/{id}.jsonl", TotalRequests = 0, Metadata = "{\"k\":\"v\"}", CreatedAt = createdAt,
        ExpiresAt = createdAt + 86400,
    };

    static BatchLine Line(int line) => new(line, $"custom-{line}", "/v1/chat/completions", $"{{\"n\":{line}}}", "demo");

    /// <summary>A process instance of its own, as each server has.</summary>
    static NodeIdentity Node() => new(Options.Create(new ServerOptions()));

    static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    static DateTimeOffset At(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    /// <summary>A clock that moves only when told, so refills are exact.</summary>
    sealed class StoppedClock : TimeProvider
    {
        DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
