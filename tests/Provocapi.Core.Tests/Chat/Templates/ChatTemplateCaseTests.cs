using Provocapi.Core.Chat.Templates;
using Xunit.Abstractions;

namespace Provocapi.Core.Tests.Chat.Templates;

/// <summary>Renders every fixture case and holds the interpreter to Jinja2's output, byte for byte.</summary>
public sealed class ChatTemplateCaseTests(ITestOutputHelper output)
{
    [Fact]
    public void Real_templates_render_as_jinja2_does_and_raise_where_it_raises()
    {
        var cases = ChatTemplateFixture.LoadCases();
        var templates = new Dictionary<string, ChatTemplate>();
        var mismatches = new List<string>();
        var missingErrors = new List<string>();
        var exact = 0;
        var raised = 0;
        var sameMessage = 0;
        foreach (var c in cases)
        {
            string? output = null;
            string? failure = null;
            try
            {
                if (!templates.TryGetValue(c.Template, out var template))
                    templates[c.Template] = template = ChatTemplate.Parse(ChatTemplateFixture.TemplateSource(c.Template));
                output = template.Render(c.Variables, ChatTemplateFixture.Options);
            }
            catch (ChatTemplateException e)
            {
                failure = e.Message;
            }
            if (c.Error != null)
            {
                if (failure != null) raised++;
                if (failure == c.Error) sameMessage++;
                else missingErrors.Add(c.Name);
            }
            else if (output == c.Expected) exact++;
            else mismatches.Add($"{c.Name}: {failure ?? FirstDifference(c.Expected!, output!)}");
        }

        var expectedCount = cases.Count(c => c.Error == null);
        var errorCount = cases.Count - expectedCount;
        var report = $"{exact}/{expectedCount} exact, {raised}/{errorCount} errors raised ({sameMessage} with Jinja2's message)\n"
            + string.Join("\n", mismatches.Concat(missingErrors.Select(n => n + ": did not raise")));
        output.WriteLine(report);
        Assert.True(exact >= 0.95 * expectedCount && raised == errorCount, report);
    }

    static string FirstDifference(string expected, string actual)
    {
        var i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i]) i++;
        static string Excerpt(string s, int at) => s.Substring(Math.Max(0, at - 30), Math.Min(s.Length, at + 40) - Math.Max(0, at - 30)).ReplaceLineEndings("\\n");
        return $"differs at {i}: expected «{Excerpt(expected, i)}», got «{Excerpt(actual, i)}»";
    }
}
