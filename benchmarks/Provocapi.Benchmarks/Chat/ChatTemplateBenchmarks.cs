using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Provocapi.Core.Chat.Templates;
using Provocapi.Tests;

namespace Provocapi.Benchmarks.Chat;

/// <summary>
/// Rendering a prompt from a 20-message conversation (a system message, then user and assistant turns of a few
/// sentences each) with real chat templates from tests/fixtures: Llama 3.1's and Qwen 2.5's, both with a tool
/// offered, as a server does for every request. Parsing is done once in setup, as a loaded model caches its template.
/// The MB/s column is the rendered prompt's UTF-8 size over the mean time.
/// </summary>
[Config(typeof(ThroughputConfig))]
public class ChatTemplateBenchmarks
{
    const string LlamaTemplate = "meta-llama-Llama-3.1-8B-Instruct.jinja";
    const string QwenTemplate = "Qwen-Qwen2.5-7B-Instruct.jinja";

    static readonly Dictionary<string, object?> Variables = Conversation(messages: 20);

    ChatTemplate _llama = null!;
    ChatTemplate _qwen = null!;

    /// <summary>UTF-8 size of the prompt a benchmark renders, for the throughput column.</summary>
    public static int PromptBytes(string benchmark) =>
        Encoding.UTF8.GetByteCount(Load(benchmark == nameof(Llama31) ? LlamaTemplate : QwenTemplate).Render(Variables));

    [GlobalSetup]
    public void Setup()
    {
        _llama = Load(LlamaTemplate);
        _qwen = Load(QwenTemplate);
    }

    [Benchmark]
    public string Llama31() => _llama.Render(Variables);

    [Benchmark]
    public string Qwen25() => _qwen.Render(Variables);

    static ChatTemplate Load(string name) => ChatTemplate.Parse(File.ReadAllText(TestData.Path("chat-templates", name)));

    static Dictionary<string, object?> Conversation(int messages)
    {
        var sentences = new[]
        {
            "Could you explain how continuous batching keeps the GPU busy while requests arrive at different times?",
            "Each step, the scheduler adds waiting sequences to the running batch and splits long prompts into chunks.",
            "What happens to the KV cache when a sequence is preempted because memory runs short?",
            "Its pages are freed and the sequence is recomputed later, reusing any cached prefix it shares with others.",
        };
        var list = new List<object?> { new Dictionary<string, object?> { ["role"] = "system", ["content"] = "You are a concise assistant for engineers." } };
        for (var i = 1; i < messages; i++)
        {
            var role = i % 2 == 1 ? "user" : "assistant";
            list.Add(new Dictionary<string, object?> { ["role"] = role, ["content"] = $"{sentences[i % 4]} {sentences[(i + 1) % 4]} (turn {i})" });
        }
        var tool = new Dictionary<string, object?>
        {
            ["type"] = "function",
            ["function"] = new Dictionary<string, object?>
            {
                ["name"] = "get_weather",
                ["description"] = "Current weather for a city",
                ["parameters"] = new Dictionary<string, object?>
                {
                    ["type"] = "object",
                    ["properties"] = new Dictionary<string, object?> { ["city"] = new Dictionary<string, object?> { ["type"] = "string" } },
                    ["required"] = new List<object?> { "city" },
                },
            },
        };
        return new()
        {
            ["messages"] = list,
            ["tools"] = new List<object?> { tool },
            ["add_generation_prompt"] = true,
            ["bos_token"] = "<|begin_of_text|>",
            ["eos_token"] = "<|eot_id|>",
        };
    }

    sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn("MB/s", "Prompt megabytes (10^6 UTF-8 bytes) rendered per second",
            c => PromptBytes(c.Descriptor.WorkloadMethod.Name), unit: 1e6));
    }
}
