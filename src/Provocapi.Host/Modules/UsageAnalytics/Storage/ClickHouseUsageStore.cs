using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Provocapi.Host.Modules.UsageAnalytics.Recording;

namespace Provocapi.Host.Modules.UsageAnalytics.Storage;

/// <summary>
/// Usage in ClickHouse over its HTTP interface: a MergeTree table partitioned by month and ordered by
/// (tenant, day, model), so one tenant's date range is a contiguous read; inserts are <c>JSONEachRow</c> batches;
/// percentiles are ClickHouse's own <c>quantilesExact</c>. The query groups by a 64-bit hash of the model name
/// (<c>model_key</c>, computed on insert), a fixed-size key that aggregates faster than the string. Works with ClickHouse 18.16 (Debian's) and later, so it
/// avoids newer features (query parameters, DateTime64): times are Unix milliseconds, strings are quoted here.
/// </summary>
public sealed class ClickHouseUsageStore : IUsageStore
{
    readonly HttpClient _http;
    readonly Uri _url;
    readonly string _table;
    readonly string _database;

    public ClickHouseUsageStore(ClickHouseOptions options, HttpClient http)
    {
        _http = http;
        _database = options.Database;
        _table = $"{Identifier(options.Database)}.usage_requests";
        var url = new UriBuilder(options.Url);
        var credentials = options.User != null ? $"user={Uri.EscapeDataString(options.User)}&password={Uri.EscapeDataString(options.Password ?? "")}&" : "";
        // Unquoted 64-bit integers, so counts read as numbers.
        url.Query = credentials + "output_format_json_quote_64bit_integers=0";
        _url = url.Uri;
    }

    public string Name => $"ClickHouse at {_url.GetLeftPart(UriPartial.Path)}";

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {Identifier(_database)}", cancellationToken);
            await ExecuteAsync(
                $"""
                CREATE TABLE IF NOT EXISTS {_table} (
                    day Date, time_ms UInt64, request_id String, tenant_id String, key_id String, model String,
                    model_key UInt64 MATERIALIZED cityHash64(model), adapter Nullable(String), endpoint String,
                    prompt_tokens UInt32, completion_tokens UInt32, latency_ms Float64, ttft_ms Nullable(Float64),
                    queue_ms Float64, status UInt16, batch UInt8, cost Float64
                ) ENGINE = MergeTree() PARTITION BY toYYYYMM(day) ORDER BY (tenant_id, day, model, time_ms)
                """, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"usage: ClickHouse at {_url.GetLeftPart(UriPartial.Path)} is unreachable ({e.Message}); start it or set Provocapi:Usage:Backend to sqlite");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"usage: ClickHouse at {_url.GetLeftPart(UriPartial.Path)} did not answer in time");
        }
    }

    public async Task WriteAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0) return;
        using var body = new MemoryStream();
        using (var json = new Utf8JsonWriter(body))
        {
            foreach (var r in records)
            {
                json.WriteStartObject();
                json.WriteString("day", r.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                json.WriteNumber("time_ms", r.Time.ToUnixTimeMilliseconds());
                json.WriteString("request_id", r.RequestId);
                json.WriteString("tenant_id", r.TenantId);
                json.WriteString("key_id", r.KeyId);
                json.WriteString("model", r.Model);
                if (r.Adapter != null) json.WriteString("adapter", r.Adapter);
                else json.WriteNull("adapter");
                json.WriteString("endpoint", r.Endpoint);
                json.WriteNumber("prompt_tokens", r.PromptTokens);
                json.WriteNumber("completion_tokens", r.CompletionTokens);
                json.WriteNumber("latency_ms", r.LatencyMs);
                if (r.TimeToFirstTokenMs is { } ttft) json.WriteNumber("ttft_ms", ttft);
                else json.WriteNull("ttft_ms");
                json.WriteNumber("queue_ms", r.QueueMs);
                json.WriteNumber("status", r.StatusCode);
                json.WriteNumber("batch", r.IsBatch ? 1 : 0);
                json.WriteNumber("cost", r.Cost);
                json.WriteEndObject();
                json.Flush();
                body.WriteByte((byte)'\n');
                json.Reset(body);
            }
        }
        var url = new Uri(_url + "&query=" + Uri.EscapeDataString($"INSERT INTO {_table} FORMAT JSONEachRow"));
        using var content = new ByteArrayContent(body.GetBuffer(), 0, (int)body.Length);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var response = await _http.PostAsync(url, content, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    public async Task<IReadOnlyList<UsageDay>> QueryAsync(UsageQuery query, CancellationToken cancellationToken)
    {
        var levels = string.Join(", ", ExactPercentiles.Levels.Select(l => l.ToString(CultureInfo.InvariantCulture)));
        var model = query.Model != null ? $" AND model = {Quote(query.Model)}" : "";
        var text = await ExecuteAsync(
            $"""
            SELECT toString(day) AS date, any(model) AS model_name, count() AS requests, sum(prompt_tokens) AS prompt_tokens,
                   sum(completion_tokens) AS completion_tokens, sum(cost) AS cost, quantilesExact({levels})(latency_ms) AS latency,
                   quantilesExact({levels})(ttft_ms) AS ttft, count(ttft_ms) AS ttft_count
            FROM {_table}
            WHERE tenant_id = {Quote(query.TenantId)} AND day >= toDate({Quote(Day(query.From))}) AND day <= toDate({Quote(Day(query.To))}){model}
            GROUP BY day, model_key
            ORDER BY day, model_name
            FORMAT JSONEachRow
            """, cancellationToken);
        var days = new List<UsageDay>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var row = JsonDocument.Parse(line).RootElement;
            days.Add(new UsageDay(
                DateOnly.ParseExact(row.GetProperty("date").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                row.GetProperty("model_name").GetString()!,
                row.GetProperty("requests").GetInt64(),
                row.GetProperty("prompt_tokens").GetInt64(),
                row.GetProperty("completion_tokens").GetInt64(),
                row.GetProperty("cost").GetDouble(),
                PercentilesOf(row.GetProperty("latency")),
                // quantilesExact of only NULLs answers zeros; no first token means no percentiles.
                row.GetProperty("ttft_count").GetInt64() > 0 ? PercentilesOf(row.GetProperty("ttft")) : null));
        }
        return days;
    }

    static Percentiles PercentilesOf(JsonElement values) =>
        new(values[0].GetDouble(), values[1].GetDouble(), values[2].GetDouble(), values[3].GetDouble());

    async Task<string> ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        using var content = new StringContent(sql, Encoding.UTF8, "text/plain");
        using var response = await _http.PostAsync(_url, content, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var message = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
        throw new HttpRequestException($"ClickHouse answered {(int)response.StatusCode}: {message}", null, response.StatusCode);
    }

    static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A ClickHouse string literal: backslash and quote escaped.</summary>
    static string Quote(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    static string Identifier(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? name
            : throw new InvalidOperationException($"usage: ClickHouse database name '{name}' must be letters, digits and underscores");
}
