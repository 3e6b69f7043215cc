using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Provocapi.Host.Modules.Cluster.Gateway;
using Provocapi.Host.Modules.Cluster.Registry;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Tests.Store;

namespace Provocapi.Host.Tests.Cluster;

/// <summary>The gateway's choice of worker, over a real registry in the store (both backends).</summary>
public sealed class WorkerRouterTests
{
    static readonly Caller Acme = new("ten_acme", "acme", Tier.Shared, "key_1", new TierLimits());
    static readonly Caller Other = new("ten_other", "other", Tier.Shared, "key_2", new TierLimits());

    sealed class Registry : IDisposable
    {
        readonly TestStore _store;
        public WorkerRegistry Store { get; }
        public WorkerDirectory Directory { get; }
        public WorkerRouter Router { get; }

        public Registry(string backend)
        {
            _store = StoreBackends.Fresh(backend);
            Store = new WorkerRegistry(_store.Migrated());
            Directory = new WorkerDirectory(Store, Options.Create(new ClusterOptions()), TimeProvider.System, NullLogger<WorkerDirectory>.Instance);
            Router = new WorkerRouter(Directory);
        }

        public long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        public void Report(string id, int queue = 0, string[]? adapters = null, string model = "demo", string[]? tenants = null, long? heartbeatAt = null)
        {
            var served = new WorkerModel(model, ["alias-" + model], tenants ?? [], "chat", 1, queue, 0, 100, null);
            Store.Report(new WorkerRecord(id, "instance-" + id, $"http://{id}:8080", [served], adapters ?? [], Now, heartbeatAt ?? Now, null));
            Directory.Refresh();
        }

        public string? Pick(string model = "demo", string? adapter = null, Caller? caller = null, params string[] exclude) =>
            Router.Pick(model, adapter, caller ?? Acme, exclude)?.Worker.Id;

        public void Dispose() => _store.Dispose();
    }

    [Theory, MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void The_least_loaded_worker_serving_the_model_wins_and_in_flight_requests_count(string backend)
    {
        using var registry = new Registry(backend);
        registry.Report("w1", queue: 3);
        registry.Report("w2", queue: 1);
        registry.Report("w3", queue: 0, model: "other");
        Assert.Equal("w2", registry.Pick());
        Assert.Equal("w2", registry.Pick("alias-demo"));
        Assert.Equal("w3", registry.Pick("other"));
        Assert.Equal("w1", registry.Pick(exclude: "w2"));
        using (registry.Directory.Enter("w2", "demo", 1))
        using (registry.Directory.Enter("w2", "demo", 1))
        using (registry.Directory.Enter("w2", "demo", 1))
            Assert.Equal("w1", registry.Pick());
        Assert.Equal("w2", registry.Pick());
    }

    [Theory, MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void This_gateways_requests_count_once_when_a_report_certainly_includes_them_and_never_less(string backend)
    {
        using var registry = new Registry(backend);
        registry.Report("w1", queue: 0);
        registry.Report("w2", queue: 5);
        long Load()
        {
            var w1 = registry.Directory.Workers.Single(w => w.Id == "w1");
            return registry.Directory.Load(w1, w1.Models[0]);
        }
        void NextReport(int queue)
        {
            Thread.Sleep(5);
            registry.Report("w1", queue);
        }

        var mine = Enumerable.Range(0, 4).Select(_ => registry.Directory.Enter("w1", "demo", 1)).ToList();
        registry.Directory.Refresh();
        // w1's next report counts this gateway's four, which started before the refresh ahead of it; w2's five are
        // somebody else's. Counting the four twice would send the next request to w2.
        NextReport(queue: 4);
        Assert.Equal(4, Load());
        Assert.Equal("w1", registry.Pick());
        // Two of them end before the next report: w1 counts two.
        mine[0].Dispose();
        mine[1].Dispose();
        Assert.Equal(2, Load());
        // One more starts just before the next report, which has the three plus two from elsewhere. The newcomer may or
        // may not be in it, so it counts twice (six), until a report certainly has it.
        mine.Add(registry.Directory.Enter("w1", "demo", 1));
        Assert.Equal(3, Load());
        NextReport(queue: 5);
        Assert.Equal(6, Load());
        var before = registry.Directory.Workers.Single(w => w.Id == "w1");
        NextReport(queue: 5);
        Assert.Equal(5, Load());
        // A record read before that report, priced against the newer count, subtracts nothing.
        Assert.Equal(8, registry.Directory.Load(before, before.Models[0]));
        // Requests on another model of the worker are not this model's load.
        using (registry.Directory.Enter("w1", "other", 1))
            Assert.Equal(5, Load());
        foreach (var request in mine) request.Dispose();
        Assert.Equal(2, Load());
    }

    [Theory, MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void A_request_weighs_the_sequences_it_runs_as_worker_reports_count_them(string backend)
    {
        using var registry = new Registry(backend);
        registry.Report("w1", queue: 0);
        registry.Report("w2", queue: 0);
        long Load(string id)
        {
            var worker = registry.Directory.Workers.Single(w => w.Id == id);
            return registry.Directory.Load(worker, worker.Models[0]);
        }

        // One request of four choices on w1 outweighs three single ones on w2.
        using var fourChoices = registry.Directory.Enter("w1", "demo", 4);
        var singles = Enumerable.Range(0, 3).Select(_ => registry.Directory.Enter("w2", "demo", 1)).ToList();
        Assert.Equal(4, Load("w1"));
        Assert.Equal("w2", registry.Pick());
        // w1's next report has the four sequences: they count once, not as four reported plus one in flight.
        registry.Directory.Refresh();
        Thread.Sleep(5);
        registry.Report("w1", queue: 4);
        Assert.Equal(4, Load("w1"));
        foreach (var single in singles) single.Dispose();
        Assert.Equal(0, Load("w2"));
    }

    [Theory]
    [InlineData("""{"model": "demo", "messages": [], "n": 3}""", 3)]
    [InlineData("""{"model": "demo", "messages": []}""", 1)]
    [InlineData("""{"model": "demo", "prompt": ["a", "b"], "n": 2}""", 4)]
    [InlineData("""{"model": "demo", "prompt": [[1, 2], [3]]}""", 2)]
    [InlineData("""{"model": "demo", "prompt": [1, 2, 3]}""", 1)]
    [InlineData("""{"model": "demo", "prompt": "a", "n": 16}""", 16)]
    // What the worker refuses at once weighs one: n out of range or not a whole number, a prompt of the wrong type.
    [InlineData("""{"model": "demo", "messages": [], "n": 17}""", 1)]
    [InlineData("""{"model": "demo", "messages": [], "n": 0}""", 1)]
    [InlineData("""{"model": "demo", "messages": [], "n": 2.5}""", 1)]
    [InlineData("""{"model": "demo", "messages": [], "n": "4"}""", 1)]
    [InlineData("""{"model": "demo", "prompt": {"a": 1}, "n": null}""", 1)]
    public void The_gateway_reads_how_many_sequences_a_request_runs(string body, int sequences)
    {
        var request = RoutedRequest.Read(System.Text.Encoding.UTF8.GetBytes(body));
        Assert.Equal("demo", request.Model);
        Assert.Equal(sequences, request.Sequences);
    }

    [Theory, MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void A_worker_holding_the_adapter_is_preferred_even_when_busier(string backend)
    {
        using var registry = new Registry(backend);
        registry.Report("w1", queue: 0);
        registry.Report("w2", queue: 5, adapters: [WorkerRecord.AdapterKey(Acme.TenantId, "demo", "pirate")]);
        Assert.Equal("w2", registry.Pick(adapter: "pirate"));
        // Another tenant's adapter of the same name is not the one w2 holds.
        Assert.Equal("w1", registry.Pick(adapter: "pirate", caller: Other));
        Assert.Equal("w1", registry.Pick());
    }

    [Theory, MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void Silent_stopped_failed_and_private_workers_get_nothing(string backend)
    {
        using var registry = new Registry(backend);
        registry.Report("silent", heartbeatAt: registry.Now - 60_000);
        Assert.Null(registry.Pick());
        Assert.True(registry.Router.Knows("demo", Acme));
        Assert.False(registry.Router.Knows("nope", Acme));

        // A worker silent for longer than a day is forgotten: its model becomes unknown.
        registry.Report("gone", model: "old", heartbeatAt: registry.Now - (long)WorkerDirectory.ForgetAfter.TotalMilliseconds - 1000);
        Assert.True(registry.Router.Knows("old", Acme));
        var fresh = new WorkerDirectory(registry.Store, Options.Create(new ClusterOptions()), TimeProvider.System, NullLogger<WorkerDirectory>.Instance);
        fresh.Refresh();
        Assert.False(new WorkerRouter(fresh).Knows("old", Acme));
        Assert.True(new WorkerRouter(fresh).Knows("demo", Acme));

        registry.Report("w1");
        registry.Store.Stopped("w1", "instance-w1", registry.Now);
        registry.Directory.Refresh();
        Assert.Null(registry.Pick());

        registry.Report("w2");
        registry.Directory.Failed(registry.Directory.Workers.Single(w => w.Id == "w2"));
        Assert.Null(registry.Pick());
        // Its next heartbeat puts it back.
        Thread.Sleep(5);
        registry.Report("w2");
        Assert.Equal("w2", registry.Pick());

        registry.Report("private", model: "secret", tenants: ["acme"]);
        Assert.Equal("private", registry.Pick("secret"));
        Assert.Null(registry.Pick("secret", caller: Other));
        Assert.False(registry.Router.Knows("secret", Other));
        Assert.Equal(["demo", "secret"], registry.Router.Models(Acme).Select(m => m.Id));
        Assert.Equal(["demo"], registry.Router.Models(Other).Select(m => m.Id));
    }

    [Theory, MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void The_gateway_forgets_workers_the_registry_pruned_once_their_requests_end(string backend)
    {
        using var registry = new Registry(backend);
        var longAgo = registry.Now - (long)WorkerDirectory.ForgetAfter.TotalMilliseconds - 1000;
        // The first refresh prunes the registry; the next ones leave it to the test, ten minutes apart.
        registry.Directory.Refresh();
        registry.Report("old", heartbeatAt: longAgo);
        registry.Report("failed", heartbeatAt: longAgo);
        registry.Report("live");
        registry.Directory.Failed(registry.Directory.Workers.Single(w => w.Id == "failed"));
        using (registry.Directory.Enter("old", "demo", 2)) { }
        var stillRunning = registry.Directory.Enter("failed", "demo", 1);
        Assert.Equal(["failed", "failed/demo", "live", "live/demo", "old", "old/demo"], registry.Directory.Remembered);

        registry.Store.Prune(registry.Now - (long)WorkerDirectory.ForgetAfter.TotalMilliseconds);
        registry.Directory.Refresh();
        // The request still running on a pruned worker keeps its count until it ends.
        Assert.Equal(["failed/demo", "live", "live/demo"], registry.Directory.Remembered);
        stillRunning.Dispose();
        registry.Directory.Refresh();
        Assert.Equal(["live", "live/demo"], registry.Directory.Remembered);

        // A worker that stops serving a model is forgotten for that model only.
        using (registry.Directory.Enter("live", "demo", 1)) { }
        Thread.Sleep(5);
        registry.Report("live", model: "other");
        Assert.Equal(["live", "live/other"], registry.Directory.Remembered);
        Assert.Equal("live", registry.Pick("other"));
        Assert.Null(registry.Pick("demo"));
    }
}
