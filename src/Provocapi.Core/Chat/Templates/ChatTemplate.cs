namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// A Hugging Face chat template (the <c>chat_template</c> of tokenizer_config.json or GGUF's
/// <c>tokenizer.chat_template</c>), parsed once and rendered per request. It is our own Jinja2 interpreter for the
/// subset real templates use, rendering as Jinja2 3.1 does under Hugging Face's settings: sandboxed, trim_blocks and
/// lstrip_blocks, loop controls, <c>tojson</c>, <c>raise_exception</c>, <c>strftime_now</c> and <c>{% generation %}</c>.
/// A parsed template is immutable and may be rendered from many threads at once.
/// </summary>
public sealed class ChatTemplate
{
    readonly IReadOnlyList<Statement> _body;

    ChatTemplate(IReadOnlyList<Statement> body) => _body = body;

    /// <exception cref="ChatTemplateException">The template has a syntax error or loads other templates.</exception>
    public static ChatTemplate Parse(string source) => new(TemplateParser.Parse(source));

    /// <summary>
    /// Renders with the given variables (for chat: <c>messages</c>, <c>add_generation_prompt</c>, <c>bos_token</c>,
    /// <c>eos_token</c>, <c>tools</c>...), each a string, bool, number, null, list, string-keyed dictionary or JsonElement.
    /// </summary>
    /// <exception cref="ChatTemplateException">The template raised, used an undefined value, did what the sandbox refuses, or ran past a limit.</exception>
    public string Render(IReadOnlyDictionary<string, object?> variables, ChatTemplateOptions? options = null)
    {
        var scope = new TemplateScope(null);
        foreach (var (name, value) in variables) scope.Set(name, ChatTemplateValues.Import(value));
        return new TemplateRenderer(options ?? ChatTemplateOptions.Default).Render(_body, new TemplateScope(scope));
    }
}
