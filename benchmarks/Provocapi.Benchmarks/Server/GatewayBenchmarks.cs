using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Modules.Keys.RateLimits;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Headers;
using Provocapi.Host.Server;
using Provocapi.Host.Store;

namespace Provocapi.Benchmarks.Server;

/// <summary>
/// What the gateway adds to every request: the server's own middleware (request id and headers, error envelope,
/// API-key authentication against a real SQLite store, requests-per-minute limit) in front of an endpoint that does
/// nothing, against that endpoint alone.
/// </summary>
[MemoryDiagnoser]
public class GatewayBenchmarks
{
    string _data = "";
    ServiceProvider _services = null!;
    RequestDelegate _bare = null!, _gateway = null!;
    string _authorization = "";

    [GlobalSetup]
    public void Setup()
    {
        _data = Directory.CreateTempSubdirectory("provocapi-bench-").FullName;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOptions<ServerOptions>().Configure(o => o.DataDirectory = _data);
        services.AddOptions<TierOptions>().Configure(o => o.Dedicated = new TierLimits { RequestsPerMinute = int.MaxValue, TokensPerMinute = long.MaxValue });
        services.AddSingleton<Database>(new SqliteDatabase(_data));
        services.AddSingleton<IRateBuckets, MemoryRateBuckets>();
        services.AddSingleton<KeyStore>();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<TenantRateLimiter>();
        _services = services.BuildServiceProvider();
        _services.GetRequiredService<Database>().Migrate();
        _authorization = "Bearer " + _services.GetRequiredService<KeyStore>().CreateKey("bench", Tier.Dedicated).Key;

        static Task Endpoint(HttpContext http)
        {
            http.Response.StatusCode = 200;
            return Task.CompletedTask;
        }
        var bare = new ApplicationBuilder(_services);
        bare.Run(Endpoint);
        _bare = bare.Build();
        var gateway = new ApplicationBuilder(_services);
        gateway.UseMiddleware<ResponseHeadersMiddleware>();
        gateway.UseMiddleware<ApiErrorMiddleware>();
        gateway.UseMiddleware<ApiKeyMiddleware>();
        gateway.Run(Endpoint);
        _gateway = gateway.Build();
    }

    HttpContext Request()
    {
        var http = new DefaultHttpContext { RequestServices = _services };
        http.Request.Method = "GET";
        http.Request.Path = "/v1/models";
        http.Request.Headers.Authorization = _authorization;
        return http;
    }

    [Benchmark(Baseline = true)]
    public Task Endpoint_alone() => _bare(Request());

    [Benchmark]
    public Task With_auth_rate_limit_and_headers() => _gateway(Request());

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }
}
