using Provocapi.Core.Chat.Tools;
using Provocapi.Core.Generation;
using Provocapi.Engine.Sampling.Grammar;

namespace Provocapi.Core.Chat;

/// <summary>
/// One chat request made ready for the engine, the same for the HTTP API and <see cref="ProvocapiChatClient"/>: the
/// prompt (with tools offered through the model's template), the grammar that enforces JSON output or a forced tool
/// call, and how to read the reply back into text and tool calls.
/// </summary>
public sealed class ChatTurn
{
    public ChatPrompt Prompt { get; }
    /// <summary>The output constraint: JSON mode, a schema, or the call a forced tool choice demands; null for free text.</summary>
    public JsonGrammar? Grammar { get; }
    /// <summary>How this model writes tool calls; null when no tools are in play.</summary>
    public ToolCallFormat? Format { get; }
    public bool IsForcedCall { get; }
    public bool ParallelToolCalls { get; }
    /// <summary>The functions the model may call (a streamed call is sent only once it names one of them).</summary>
    public IReadOnlySet<string> ToolNames { get; }

    internal ChatTurn(ChatPrompt prompt, JsonGrammar? grammar, ToolCallFormat? format, bool forced, bool parallel, IEnumerable<string> toolNames)
    {
        Prompt = prompt;
        Grammar = grammar;
        Format = format;
        IsForcedCall = forced;
        ParallelToolCalls = parallel;
        ToolNames = toolNames.ToHashSet(StringComparer.Ordinal);
    }

    /// <exception cref="Templates.ChatTemplateException">The model's template refused the conversation.</exception>
    /// <exception cref="JsonSchemaException">A response schema or a tool's parameters cannot be enforced (only when they must be).</exception>
    /// <exception cref="ArgumentException">The tool choice names a function that is not offered, or asks for a call with no tools.</exception>
    public static ChatTurn Prepare(LoadedModel model, IReadOnlyList<ChatMessageText> messages, IReadOnlyList<ChatTool>? tools = null,
        ToolChoice? toolChoice = null, bool parallelToolCalls = true, ChatResponseFormat? responseFormat = null)
    {
        var choice = toolChoice ?? ToolChoice.Auto;
        var offered = choice.Mode == ToolChoiceMode.None ? [] : tools ?? [];
        if (choice.IsForced && offered.Count == 0) throw new ArgumentException("a tool call is required but no tools are offered", nameof(toolChoice));
        if (choice.Mode == ToolChoiceMode.Function && offered.All(t => t.Name != choice.FunctionName))
            throw new ArgumentException($"tool_choice names the function '{choice.FunctionName}', which is not among the tools", nameof(toolChoice));
        var tokenizer = model.Model.Tokenizer;
        var format = offered.Count > 0 ? FormatFor(model) : null;
        if (choice.IsForced)
        {
            var callable = choice.Mode == ToolChoiceMode.Function ? offered.Where(t => t.Name == choice.FunctionName).ToList() : offered;
            var grammar = new JsonGrammar(tokenizer, CallSchema(callable, format!.ArgumentsKey));
            return new ChatTurn(ChatPrompt.For(model, messages, offered, format.ForcedPrefix), grammar, format, forced: true, parallelToolCalls, callable.Select(t => t.Name));
        }
        var output = (responseFormat ?? ChatResponseFormat.Text).Kind switch
        {
            ChatResponseKind.JsonObject => JsonGrammar.AnyObject(tokenizer),
            ChatResponseKind.JsonSchema => JsonGrammar.ForSchema(tokenizer, responseFormat!.Schema!.Value),
            _ => null,
        };
        return new ChatTurn(ChatPrompt.For(model, messages, offered), output, output == null ? format : null, forced: false, parallelToolCalls, offered.Select(t => t.Name));
    }

    /// <summary>
    /// How the prompt this model gets asks for calls: its tool-use template's format, or its template's when that has a
    /// place for tools; Hermes when tools go into a system message instead (ChatML, or a template without tools).
    /// </summary>
    static ToolCallFormat FormatFor(LoadedModel model)
    {
        if (model.ToolUseChatTemplate != null) return ToolCallFormat.Detect(model.Model.ToolUseChatTemplate);
        if (model.ChatTemplate != null && model.Model.ChatTemplate!.Contains("tools", StringComparison.Ordinal)) return ToolCallFormat.Detect(model.Model.ChatTemplate);
        return ToolCallFormat.Hermes;
    }

    /// <summary>One call to one of <paramref name="tools"/>: <c>{"name": const, "arguments": its parameters}</c>, both
    /// required, the name first (as the templates show calls, and so that the call streams named).</summary>
    static JsonSchemaNode CallSchema(IReadOnlyList<ChatTool> tools, string argumentsKey)
    {
        var calls = tools.Select(t => (JsonSchemaNode)new ObjectNode(
        [
            ("name", new ConstNode(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(t.Name))),
            (argumentsKey, t.Parameters is { } p ? Parameters(JsonSchemaCompiler.Compile(p)) : ObjectNode.AnyProperties),
        ], required: 0b11, ordered: true)).ToList();
        return calls.Count == 1 ? calls[0] : new AnyOfNode(calls);
    }

    /// <summary>Arguments are always an object; a schema that says nothing of its type means an open one.</summary>
    static JsonSchemaNode Parameters(JsonSchemaNode node) => node is AnyValueNode ? ObjectNode.AnyProperties : node;

    /// <summary>The generation request's settings this turn fixes (prompt, grammar, stop strings), on top of <paramref name="request"/>.</summary>
    public GenerationRequest Apply(GenerationRequest request) => request with
    {
        Grammar = Grammar,
        StopStrings = [.. Prompt.StopStrings, .. request.StopStrings],
        // Tool-call markers are control tokens in some vocabularies; the parser needs to see them.
        DecodeSpecialTokens = Format != null && !IsForcedCall,
    };

    /// <summary>A finished reply as content and tool calls.</summary>
    public ParsedReply Reply(string text)
    {
        if (Format == null) return new ParsedReply(text, []);
        var reply = IsForcedCall ? Format.ParseForced(text) : Format.Parse(text);
        return ParallelToolCalls || reply.Calls.Count <= 1 ? reply : reply with { Calls = [reply.Calls[0]] };
    }

    /// <summary>A parser for the reply as it streams: text while it is text, calls once the reply is complete.</summary>
    public ToolCallStream Stream() => new(this);
}
