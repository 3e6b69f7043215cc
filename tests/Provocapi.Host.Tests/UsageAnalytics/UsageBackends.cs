using Provocapi.Host.Modules.UsageAnalytics;
using Provocapi.Host.Modules.UsageAnalytics.Storage;
using Provocapi.Host.Store;

namespace Provocapi.Host.Tests.UsageAnalytics;

/// <summary>
/// The usage stores under test: SQLite on a fresh file always, and ClickHouse when
/// <c>PROVOCAPI_TEST_CLICKHOUSE_URL</c> names a server (<c>.ci/run</c> starts one), in database <c>provocapi_test</c>.
/// Tests use fresh tenant ids, so runs never see each other's rows.
/// </summary>
public static class UsageBackends
{
    public const string UrlVariable = "PROVOCAPI_TEST_CLICKHOUSE_URL";

    public static string? ClickHouseUrl => Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } url ? url : null;

    public static TheoryData<string> Names
    {
        get
        {
            var names = new TheoryData<string> { "sqlite" };
            if (ClickHouseUrl != null) names.Add("clickhouse");
            return names;
        }
    }

    public static async Task<IUsageStore> CreateAsync(string name)
    {
        IUsageStore store = name switch
        {
            "sqlite" => new SqliteUsageStore(new SqliteDatabase(Directory.CreateTempSubdirectory("provocapi-usage-").FullName)),
            "clickhouse" => new ClickHouseUsageStore(new ClickHouseOptions { Url = ClickHouseUrl!, Database = "provocapi_test" }, new HttpClient()),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }
}

/// <summary>A fact that runs only where a ClickHouse server is configured for the tests.</summary>
public sealed class ClickHouseFactAttribute : FactAttribute
{
    public ClickHouseFactAttribute()
    {
        if (UsageBackends.ClickHouseUrl == null) Skip = $"{UsageBackends.UrlVariable} is not set (.ci/run starts ClickHouse and sets it)";
    }
}
