using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Sockets;
using OpenAI;
using OpenAI.Chat;
using Provocapi.Host.Tests.Cli;
using Provocapi.Host.Tests.Store;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.Server;

/// <summary>The <c>provocapi</c> executable as a user runs it: <c>keys create</c>, then <c>serve</c> on its defaults (the shipped demo model).</summary>
public sealed class ExecutableTests : IDisposable
{
    readonly string _data = Directory.CreateTempSubdirectory("provocapi-exe-").FullName;

    [Fact]
    public async Task The_default_server_answers_the_sdk_with_a_key_from_the_cli()
    {
        var created = await ProvocapiProcess.RunAsync(["keys", "create", "--tenant", "team-a", "--data", _data]);
        Assert.Equal(0, created.ExitCode);
        var key = created.Stdout.TrimEnd().Split('\n')[^1];
        Assert.Matches("^pk-prov-[A-Za-z0-9_-]{32,}$", key);

        await using var server = await ServerProcess.StartAsync("--data", _data);
        var sdk = new OpenAIClient(new ApiKeyCredential(key),
            new OpenAIClientOptions { Endpoint = new Uri(server.BaseAddress, "/v1"), RetryPolicy = new ClientRetryPolicy(0) });
        var models = await sdk.GetOpenAIModelClient().GetModelsAsync();
        Assert.Contains(models.Value, m => m.Id == "demo");

        var chat = sdk.GetChatClient("demo");
        ChatCompletion reply = await chat.CompleteChatAsync([new UserChatMessage("Hello")], new ChatCompletionOptions { MaxOutputTokenCount = 5, Temperature = 0 });
        Assert.Equal(5, reply.Usage.OutputTokenCount);
        var streamed = new System.Text.StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Hello")], new ChatCompletionOptions { MaxOutputTokenCount = 5, Temperature = 0 }))
            foreach (var part in update.ContentUpdate) streamed.Append(part.Text);
        Assert.Equal(reply.Content[0].Text, streamed.ToString());
        Assert.True(File.Exists(Path.Combine(_data, "provocapi.db")));
    }

    public static TheoryData<string[], string> BadStarts => new()
    {
        { ["--model", "m=/no/such/model.gguf"], "/no/such/model.gguf: no such file or folder" },
        { ["--Provocapi:Tiers:Shared:RequestsPerMinute=-1"], "RequestsPerMinute must be 0 (unlimited) or positive" },
        { ["--Provocapi:MaxRequestBodyBytes=lots"], "MaxRequestBodyBytes" },
        { ["--Provocapi:Models:0:Id=x", "--Provocapi:Models:0:Path=synthetic:huge"], "unknown synthetic shape 'huge'" },
        { ["--Provocapi:Models:0:Id=x", "--Provocapi:Models:0:Path=synthetic:tiny", "--Provocapi:Models:0:Threads=lots"], "'lots' at 'Provocapi:Models:0:Threads'" },
        { ["--Provocapi:Models:0:Id=x", "--Provocapi:Models:0:Path=synthetic:tiny", "--Provocapi:Models:0:KvCacheType=F8"], "'F8' at 'Provocapi:Models:0:KvCacheType'" },
        { ["--Provocapi:Models:0:Id=x", "--Provocapi:Models:0:Path=synthetic:tiny", "--Provocapi:Models:0:KvCacheTyp=F16"], "KvCacheTyp" },
        { ["--Provocapi:Models:0:Id=x", "--Provocapi:Models:0:Path=synthetic:tiny", "--Provocapi:Models:0:KvCacheType=2"], "KvCacheType must be F32 or F16" },
        { ["--config", "/no/such/settings.json"], "/no/such/settings.json" },
        { ["--model", "nopath"], "--model wants ID=PATH" },
        { ["stray"], "unexpected argument 'stray'" },
        { ["--Provocapi:Store:Postgres=Nonsense=1"], "Provocapi:Store:Postgres is not a connection string" },
        { ["--Provocapi:Store:Postgres=Host=127.0.0.1;Port=1;Timeout=5"], "127.0.0.1:1" },
        { ["--role", "boss"], "--role: role 'boss' is not one of all, gateway, worker" },
        { ["--role", "gateway"], "Provocapi:Cluster:Secret must be set" },
        { ["--role", "worker", "--Provocapi:Cluster:Secret=0123456789abcdef", "--Provocapi:Cluster:GatewayUrl=ftp://x"], "Provocapi:Cluster:GatewayUrl must be an http(s) URL" },
    };

    [Theory]
    [MemberData(nameof(BadStarts))]
    public async Task A_bad_configuration_ends_start_up_with_one_clear_line(string[] args, string expected)
    {
        var outcome = await ProvocapiProcess.RunAsync(["serve", "--data", _data, "--urls", "http://127.0.0.1:0", .. args], timeoutSeconds: 60);
        Assert.NotEqual(0, outcome.ExitCode);
        var lines = outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
    }

    [Fact]
    public async Task A_taken_port_ends_start_up_with_one_clear_line_and_no_service_reported_crashed()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var outcome = await ProvocapiProcess.RunAsync(["serve", "--data", _data, "--urls", $"http://127.0.0.1:{port}"], timeoutSeconds: 60);
        Assert.NotEqual(0, outcome.ExitCode);
        Assert.Equal($"error: Failed to bind to address http://127.0.0.1:{port}: address already in use.", outcome.Stderr.Trim());
        Assert.DoesNotContain("BackgroundService failed", outcome.Stdout);
        Assert.DoesNotContain("Hosting failed to start", outcome.Stdout);
        Assert.DoesNotContain("   at ", outcome.Stdout);
    }

    [Fact]
    public async Task A_config_file_sets_models_and_flags_override_it()
    {
        var config = Path.Combine(_data, "settings.json");
        var model = TestData.Path("models", "llama-spm-d64", "llama-spm-d64-q4_0.gguf");
        File.WriteAllText(config, $$$"""
            {"Provocapi": {"WorkerId": "from-file", "Models": [{"Id": "file-model", "Path": "{{{model}}}", "Aliases": ["fm"]}]}}
            """);
        var key = (await ProvocapiProcess.RunAsync(["keys", "create", "--tenant", "t", "--data", _data])).Stdout.TrimEnd().Split('\n')[^1];
        await using var server = await ServerProcess.StartAsync("--data", _data, "--config", config, "--Provocapi:WorkerId=from-flag");
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        using var response = await http.GetAsync("/v1/models/fm");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("file-model", response.Header("X-Provocapi-Model"));
        Assert.Equal("from-flag", response.Header("X-Provocapi-Worker"));
    }

    [PostgresFact]
    public async Task Keys_made_by_the_cli_in_postgres_open_a_server_on_postgres()
    {
        using var store = StoreBackends.Fresh("postgres");
        var created = await ProvocapiProcess.RunAsync(["keys", "create", "--tenant", "team-p", "--postgres", store.PostgresConnection!, "--data", _data]);
        Assert.Equal(0, created.ExitCode);
        var key = created.Stdout.TrimEnd().Split('\n')[^1];
        Assert.False(File.Exists(Path.Combine(_data, "provocapi.db")));
        Assert.Contains("\tteam-p\tshared\t", (await ProvocapiProcess.RunAsync(["keys", "list", "--postgres", store.PostgresConnection!])).Stdout);

        await using var server = await ServerProcess.StartAsync("--data", _data, $"--Provocapi:Store:Postgres={store.PostgresConnection}");
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        using var response = await http.GetAsync("/v1/models");
        Assert.Equal(200, (int)response.StatusCode);
    }

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }
}
