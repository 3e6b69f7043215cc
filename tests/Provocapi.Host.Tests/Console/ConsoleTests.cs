using System.Net;
using System.Text.RegularExpressions;
using Provocapi.Host.Modules.Console;
using Provocapi.Host.Tests.Server;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.Console;

/// <summary>The web console's files as the real host serves them: the page, its assets, their headers, and the API left alone.</summary>
[Collection(ServerCollection.Name)]
public sealed partial class ConsoleTests(ServerFixture server)
{
    static readonly string SourceFolder = Path.Combine(TestData.Root, "..", "..", "src", "Provocapi.Host", "Modules", "Console", "wwwroot");

    [GeneratedRegex("(?:src|href)=\"(/console/[^\"]+)\"")]
    private static partial Regex PageAsset();

    [GeneratedRegex("""from '\./([^']+)'""")]
    private static partial Regex ModuleImport();

    [Fact]
    public async Task The_root_serves_the_page_under_a_strict_content_security_policy()
    {
        using var client = server.CreateClient();
        using var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var csp = response.Header("Content-Security-Policy");
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("connect-src 'self';", csp);
        Assert.DoesNotContain("unsafe", csp);
        Assert.Equal("nosniff", response.Header("X-Content-Type-Options"));
        Assert.Equal("no-cache", response.Header("Cache-Control"));
        Assert.Matches("^\"[0-9a-f]{32}\"$", response.Header("ETag"));

        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("""<script type="module" src="/console/js/app.js"></script>""", html);
        // The policy forbids inline code, so the page must have none: every script has a src, no style blocks or attributes, no handlers.
        Assert.DoesNotMatch("<script(?![^>]*\\bsrc=)", html);
        Assert.DoesNotMatch("<style|\\sstyle=|\\son[a-z]+=", html);
    }

    [Fact]
    public async Task Every_asset_the_page_and_its_modules_name_is_served_with_its_content_type()
    {
        using var client = server.CreateClient();
        var html = await client.GetStringAsync("/");
        var assets = PageAsset().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("/console/console.css", assets);
        var pending = new Queue<string>(assets);
        var seen = new HashSet<string>();
        while (pending.TryDequeue(out var path))
        {
            if (!seen.Add(path)) continue;
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            var expected = Path.GetExtension(path) switch { ".js" => "text/javascript; charset=utf-8", ".css" => "text/css; charset=utf-8", var e => throw new Xunit.Sdk.XunitException($"unexpected {e}") };
            Assert.Equal(expected, response.Content.Headers.ContentType!.ToString());
            Assert.False(string.IsNullOrEmpty(response.Header("Content-Security-Policy")));
            if (path.EndsWith(".js", StringComparison.Ordinal))
            {
                var folder = path[..(path.LastIndexOf('/') + 1)];
                foreach (Match import in ModuleImport().Matches(await response.Content.ReadAsStringAsync())) pending.Enqueue(folder + import.Groups[1].Value);
            }
        }
        Assert.Contains("/console/js/playground.js", seen);
        Assert.Contains("/console/js/chart.js", seen);
        Assert.Contains("/console/js/sse.js", seen);
    }

    [Fact]
    public void Every_file_of_the_console_folder_is_embedded()
    {
        var files = Directory.GetFiles(SourceFolder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(SourceFolder, f).Replace('\\', '/')).Order().ToList();
        var embedded = ConsoleAssets.FromAssembly(typeof(ConsoleModule).Assembly);
        Assert.Equal(files, embedded.Paths.Order().ToList());
        Assert.Equal(File.ReadAllBytes(Path.Combine(SourceFolder, "index.html")), embedded.Find("index.html")!.Content);
    }

    [Fact]
    public async Task A_matching_etag_is_answered_with_304_and_no_body()
    {
        using var client = server.CreateClient();
        using var first = await client.GetAsync("/console/js/app.js");
        var etag = first.Header("ETag");
        using var again = new HttpRequestMessage(HttpMethod.Get, "/console/js/app.js");
        again.Headers.TryAddWithoutValidation("If-None-Match", $"\"other\", {etag}");
        using var notModified = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, notModified.Header("ETag"));

        using var stale = new HttpRequestMessage(HttpMethod.Get, "/console/js/app.js");
        stale.Headers.TryAddWithoutValidation("If-None-Match", "\"0000\"");
        using var full = await client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await full.Content.ReadAsByteArrayAsync());
        Assert.NotEqual(etag, (await client.GetAsync("/console/console.css")).Header("ETag"));
    }

    [Theory]
    [InlineData("/console/nope.js")]
    [InlineData("/console/js")]
    [InlineData("/console/")]
    [InlineData("/console/%2e%2e/appsettings.json")]
    [InlineData("/console/..%2Fprovocapi.dll")]
    [InlineData("/index.html")]
    public async Task Unknown_console_paths_are_404_in_the_api_envelope(string path)
    {
        using var client = server.CreateClient();
        using var response = await client.GetAsync(path);
        await response.AssertErrorAsync(404, "unknown_url", type: "invalid_request_error");
    }

    [Fact]
    public async Task The_api_routes_stay_the_apis()
    {
        using var client = await server.ReadyClientAsync();
        using var noKey = await client.GetAsync("/v1/models");
        await noKey.AssertErrorAsync(401, "invalid_api_key");
        using var unknown = await client.GetAsync("/v1/console");
        Assert.Equal(401, (int)unknown.StatusCode);
        Assert.Equal("ok", (await (await client.GetAsync("/health")).JsonAsync()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/ready")).StatusCode);
        Assert.StartsWith("text/plain", (await client.GetAsync("/metrics")).Content.Headers.ContentType!.ToString());
        using var openApi = await client.GetAsync("/openapi.json");
        var paths = (await openApi.JsonAsync()).GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/v1/chat/completions", paths);
        Assert.DoesNotContain(paths, p => p == "/" || p.StartsWith("/console", StringComparison.Ordinal));
        using var withKey = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("console")));
        Assert.Equal(HttpStatusCode.OK, (await withKey.GetAsync("/v1/models")).StatusCode);
        using var post = await client.PostAsync("/", new StringContent(""));
        await post.AssertErrorAsync(405, "method_not_allowed");
    }
}
