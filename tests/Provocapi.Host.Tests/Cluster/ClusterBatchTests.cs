using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Tests.Batch;

namespace Provocapi.Host.Tests.Cluster;

/// <summary>A batch job submitted to a gateway and run by two worker processes sharing its lines with leases, one of which is killed mid-job.</summary>
public sealed class ClusterBatchTests
{
    const int Lines = 60;

    /// <summary>Both workers serve the slow synthetic model with short leases, and each runs a few lines at a time, so both get work and the job outlasts a kill.</summary>
    static readonly string[] Worker =
    [
        .. ClusterNodes.SlowModel,
        "--Provocapi:Batch:LeaseDuration=00:00:03",
        "--Provocapi:Batch:MaxConcurrentLines=4",
        "--Provocapi:Batch:PollInterval=00:00:00.100",
    ];

    static string Line(int i, string model = "slow") => BatchHttp.Chat($"k{i}", $"Fortune number {i}", 24, model);

    [Fact]
    public async Task A_worker_killed_mid_job_loses_its_lines_to_the_other_and_every_line_is_recorded_once()
    {
        await using var cluster = await ClusterNodes.StartAsync("--Provocapi:Tiers:Shared:RequestsPerMinute=0", "--Provocapi:Batch:PollInterval=00:00:00.100");
        var w1 = await cluster.AddWorkerAsync("w1", Worker);
        var w2 = await cluster.AddWorkerAsync("w2", Worker);
        using var http = cluster.Client(await cluster.CreateKeyAsync("acme"));

        // The gateway checks the file without a model of its own: a model no worker serves fails the job before any line runs.
        var bad = (await http.SubmittedAsync([Line(0), Line(1, model: "nope")])).GetProperty("id").GetString()!;
        var failed = await http.WaitForAsync(bad, "failed");
        Assert.Contains("'nope' does not exist", failed.GetProperty("errors").GetProperty("data")[0].GetProperty("message").GetString());

        var id = (await http.SubmittedAsync(Enumerable.Range(0, Lines).Select(i => Line(i)))).GetProperty("id").GetString()!;
        // Kill w1 while it is running lines (and some lines are done, so the job is truly under way).
        var w1Busy = false;
        for (var i = 0; i < 1200 && !w1Busy; i++)
        {
            w1Busy = await ClusterNodes.MetricAsync(w1, "provocapi_engine_running_sequences") > 0 && (await http.OutputAsync(id)).Count >= 4;
            if (!w1Busy) await Task.Delay(50);
        }
        // Only batch lines run on these workers, so w1's running sequences are lines it holds leases on.
        await w1.KillAsync();
        Assert.True(w1Busy, "w1 was running lines when it was killed");
        var atKill = await http.OutputAsync(id);
        Assert.InRange(atKill.Count, 4, Lines - 1);

        // w1's leases pass after 3 s; w2 claims its lines and the job completes.
        JsonElement done = default;
        for (var i = 0; i < 1800; i++)
        {
            done = await (await http.GetAsync($"/v1/batch/{id}")).Content.ReadFromJsonAsync<JsonElement>();
            if (done.GetProperty("status").GetString() != "in_progress") break;
            await Task.Delay(100);
        }
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal((Lines, Lines, 0), (done.GetProperty("total_requests").GetInt32(), done.GetProperty("completed_count").GetInt32(), done.GetProperty("failed_count").GetInt32()));

        var output = await http.OutputAsync(id);
        Assert.Equal(Enumerable.Range(0, Lines).Select(i => $"k{i}"), output.Select(o => o.GetProperty("custom_id").GetString()));
        Assert.All(output, o => Assert.Equal(200, o.GetProperty("response").GetProperty("status_code").GetInt32()));
        // Lines recorded before the kill were not run again: the same answer, byte for byte.
        var before = atKill.ToDictionary(o => o.GetProperty("custom_id").GetString()!, o => o.GetRawText());
        foreach (var line in output)
            if (before.TryGetValue(line.GetProperty("custom_id").GetString()!, out var earlier)) Assert.Equal(earlier, line.GetRawText());
        Assert.True(await ClusterNodes.MetricAsync(w2, "provocapi_engine_generated_tokens_total") > 0, "w2 ran lines");
    }

    [Fact]
    public async Task Workers_serve_no_batch_api()
    {
        await using var cluster = await ClusterNodes.StartAsync();
        var worker = await cluster.AddWorkerAsync("w1");
        using var direct = new HttpClient { BaseAddress = worker.BaseAddress };
        direct.DefaultRequestHeaders.Authorization = new("Bearer", ClusterNodes.Secret);
        direct.DefaultRequestHeaders.Add(CallerHeader.Name, CallerHeader.Write(new Caller("ten_1", "acme", Tier.Shared, "key_1", new TierLimits())));
        using var response = await direct.GetAsync("/v1/batch");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("unknown_url", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
    }
}
