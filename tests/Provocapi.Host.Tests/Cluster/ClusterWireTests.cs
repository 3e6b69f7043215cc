using System.Text;
using Provocapi.Host.Cli;
using Provocapi.Host.Modules.Cluster.Gateway;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Metering;
using Provocapi.Host.Server;

namespace Provocapi.Host.Tests.Cluster;

/// <summary>What gateways and workers say to each other: the caller, the usage report, the event stream, the settings.</summary>
public sealed class ClusterWireTests
{
    [Fact]
    public void The_caller_header_round_trips_and_anything_else_is_no_caller()
    {
        var caller = new Caller("ten_1", "acme", Tier.Reserved, "key_9", new TierLimits { RequestsPerMinute = 5, TokensPerMinute = 700, MaxTokens = 64 });
        Assert.Equal(caller, CallerHeader.Read(CallerHeader.Write(caller)));
        Assert.True(CallerHeader.Read(CallerHeader.Write(caller with { Batch = true }))!.Batch);
        Assert.Null(CallerHeader.Read(null));
        Assert.Null(CallerHeader.Read("{not json"));
        Assert.Null(CallerHeader.Read("""{"tenant_id":"","tenant_name":"a","key_id":"k","limits":{}}"""));
        Assert.Null(CallerHeader.Read("""{"tenant_id":"t","tenant_name":"a","key_id":"k"}"""));
    }

    [Fact]
    public void A_usage_report_meters_the_gateway_as_the_worker_metered_itself()
    {
        var worker = new RequestUsage();
        worker.Meter(2m, 6m);
        worker.PromptStarted([1, 2, 3]);
        worker.CompletionToken();
        worker.CompletionToken();
        var report = UsageReport.Parse(UsageReport.Of(worker, worker.FirstTokenAt - 1000)!.ToJson())!;
        Assert.Equal((3, 2), (report.PromptTokens, report.CompletionTokens));

        var gateway = new RequestUsage();
        report.ApplyTo(gateway, sentAt: 5000);
        Assert.True(gateway.IsMetered);
        Assert.Equal((3L, 2L), (gateway.PromptTokens, gateway.CompletionTokens));
        Assert.Equal(worker.Cost(), gateway.Cost());
        Assert.True(gateway.FirstTokenAt > 5000);
        Assert.Null(UsageReport.Of(new RequestUsage(), 0));
        Assert.Null(UsageReport.Parse("nonsense"));
    }

    [Fact]
    public async Task Events_are_read_whole_and_a_cut_off_last_event_is_dropped()
    {
        var text = "data: {\"a\":1}\n\n: provocapi-usage {}\n\ndata: {\"b\":\n\"c\"}\n\ndata: [DONE]\n\ndata: {\"cut";
        var reader = new SseEventReader(new MemoryStream(Encoding.UTF8.GetBytes(text)));
        var events = new List<string>();
        while (await reader.ReadAsync(CancellationToken.None) is { } e) events.Add(e);
        Assert.Equal(["data: {\"a\":1}\n\n", ": provocapi-usage {}\n\n", "data: {\"b\":\n\"c\"}\n\n", "data: [DONE]\n\n"], events);
    }

    [Fact]
    public void Serve_takes_a_role_and_refuses_an_unknown_one()
    {
        Assert.Equal("worker", ServeArguments.Parse(["--role", "worker", "--urls", "http://127.0.0.1:1"]).Role);
        Assert.Equal("gateway", ServeArguments.Parse(["--role=gateway"]).Role);
        Assert.Null(ServeArguments.Parse([]).Role);
        Assert.Contains("not one of all, gateway, worker", Assert.Throws<CommandLineException>(() => ServeArguments.Parse(["--role", "boss"])).Message);
    }

    [Theory]
    [InlineData("all", null, null)]
    [InlineData("gateway", null, "Secret must be set")]
    [InlineData("worker", "short", "Secret must be set")]
    [InlineData("worker", "0123456789abcdef", null)]
    [InlineData("boss", "0123456789abcdef", "not one of all, gateway, worker")]
    public void Settings_say_what_is_wrong(string role, string? secret, string? problem)
    {
        var options = new ClusterOptions { Role = role, Secret = secret };
        var problems = options.Problems().ToList();
        if (problem == null) Assert.Empty(problems);
        else Assert.Contains(problems, p => p.Contains(problem));
    }
}
