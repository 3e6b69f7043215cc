using System.Text.Json;
using Provocapi.Core.Chat.Templates;
using Provocapi.Tests;

namespace Provocapi.Core.Tests.Chat.Templates;

/// <summary>
/// The cases of tests/fixtures/chat-templates/cases.json: real templates rendered by Jinja2 3.1.2 with Hugging Face's
/// settings, each with the expected text or the error Jinja2 raised.
/// </summary>
public static class ChatTemplateFixture
{
    /// <summary>The clock the expected renderings were made with.</summary>
    public static ChatTemplateOptions Options { get; } = new() { Clock = new FixedClock(new DateTime(2026, 1, 15, 9, 30, 0)) };

    public sealed record Case(string Name, string Template, IReadOnlyDictionary<string, object?> Variables, string? Expected, string? Error);

    public static IReadOnlyList<Case> LoadCases()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(TestData.Path("chat-templates", "cases.json")));
        var root = document.RootElement;
        var conversations = root.GetProperty("conversations");
        var cases = new List<Case>();
        foreach (var c in root.GetProperty("cases").EnumerateArray())
        {
            var variables = (Dictionary<string, object?>)ChatTemplateValues.FromJson(root.GetProperty("variables"))!;
            var conversation = c.GetProperty("conversation").GetString()!;
            var addGenerationPrompt = c.GetProperty("add_generation_prompt").GetBoolean();
            variables["messages"] = ChatTemplateValues.FromJson(conversations.GetProperty(conversation));
            variables["add_generation_prompt"] = addGenerationPrompt;
            // Tools not offered are left undefined, as transformers leaves them when no tools are given.
            if (c.GetProperty("tools").GetBoolean()) variables["tools"] = ChatTemplateValues.FromJson(root.GetProperty("tools"));
            var template = c.GetProperty("template").GetString()!;
            cases.Add(new Case(
                $"{template}/{conversation}/{(addGenerationPrompt ? "gen" : "nogen")}",
                template,
                variables,
                c.TryGetProperty("expected", out var expected) ? expected.GetString() : null,
                c.TryGetProperty("error", out var error) ? error.GetString() : null));
        }
        return cases;
    }

    public static string TemplateSource(string name) => File.ReadAllText(TestData.Path("chat-templates", name));

    sealed class FixedClock(DateTime localNow) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(localNow, TimeSpan.Zero);

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }
}
