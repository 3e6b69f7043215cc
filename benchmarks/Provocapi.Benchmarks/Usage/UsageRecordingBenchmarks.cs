using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Provocapi.Host.Modules.UsageAnalytics;
using Provocapi.Host.Modules.UsageAnalytics.Recording;
using Provocapi.Host.Modules.UsageAnalytics.Storage;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Headers;
using Provocapi.Host.Platform.Metering;
using Provocapi.Host.Server;
using Provocapi.Host.Store;

namespace Provocapi.Benchmarks.Usage;

/// <summary>
/// What usage recording adds to a request's own path: the metering calls an inference endpoint makes (the model's
/// prices, a prompt, 16 tokens) and the usage middleware queueing the record, against the same request without the
/// middleware. The background writer drains the queue into a store that keeps nothing, so the queue never fills and
/// the figure is the queueing path, not the drop path. <see cref="Sqlite_batch_of_1000"/> is the writer's own cost
/// per batch on a real SQLite file, off the request path.
/// </summary>
[MemoryDiagnoser]
public class UsageRecordingBenchmarks
{
    sealed class DiscardingStore : IUsageStore
    {
        public string Name => "nowhere";
        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task WriteAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task<IReadOnlyList<UsageDay>> QueryAsync(UsageQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    static readonly Caller Caller = new("ten_bench", "bench", Tier.Dedicated, "key_bench", new TierLimits());
    static readonly int[] Prompt = [.. Enumerable.Range(1, 32)];

    string _data = "";
    ServiceProvider _services = null!;
    UsageRecorder _recorder = null!;
    RequestDelegate _without = null!, _with = null!;
    SqliteUsageStore _sqlite = null!;
    UsageRecord[] _batch = [];

    [GlobalSetup]
    public async Task Setup()
    {
        _data = Directory.CreateTempSubdirectory("provocapi-bench-usage-").FullName;
        var services = new ServiceCollection();
        services.AddOptions<ServerOptions>().Configure(o => o.DataDirectory = _data);
        _recorder = new UsageRecorder(new DiscardingStore(), Options.Create(new UsageOptions()), NullLogger<UsageRecorder>.Instance);
        await _recorder.StartAsync(CancellationToken.None);
        services.AddSingleton(_recorder);
        _services = services.BuildServiceProvider();

        static Task Endpoint(HttpContext http)
        {
            http.RequestInfo().Model = "small";
            var usage = http.RequestUsage();
            usage.Meter(0.10m, 0.20m);
            usage.PromptStarted(Prompt);
            for (var i = 0; i < 16; i++) usage.CompletionToken();
            http.Response.StatusCode = 200;
            return Task.CompletedTask;
        }
        RequestDelegate Pipeline(bool recording)
        {
            var app = new ApplicationBuilder(_services);
            app.UseMiddleware<ResponseHeadersMiddleware>();
            app.Use((http, next) =>
            {
                http.Features.Set(Caller);
                return next(http);
            });
            if (recording) app.UseMiddleware<UsageMiddleware>();
            app.Run(Endpoint);
            return app.Build();
        }
        _without = Pipeline(recording: false);
        _with = Pipeline(recording: true);

        _sqlite = new SqliteUsageStore(new SqliteDatabase(_data).Migrate());
        _batch = [.. Enumerable.Range(0, 1000).Select(i => new UsageRecord(DateTimeOffset.UtcNow, $"req_{i}", "ten_bench", "key_bench", "small", null,
            "/v1/chat/completions", 32, 16, 120 + i % 50, 30 + i % 7, 1, 200, false, 0.0000064))];
    }

    HttpContext Request()
    {
        var http = new DefaultHttpContext { RequestServices = _services };
        http.Request.Method = "POST";
        http.Request.Path = "/v1/chat/completions";
        return http;
    }

    [Benchmark(Baseline = true)]
    public Task Metered_request_without_recording() => _without(Request());

    [Benchmark]
    public Task Metered_request_recorded() => _with(Request());

    [Benchmark(OperationsPerInvoke = 1000)]
    public Task Sqlite_batch_of_1000() => _sqlite.WriteAsync(_batch, CancellationToken.None);

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _recorder.StoppedAsync(CancellationToken.None);
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }
}
