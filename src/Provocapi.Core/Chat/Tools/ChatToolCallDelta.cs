namespace Provocapi.Core.Chat.Tools;

/// <summary>
/// A piece of a tool call as OpenAI streams it: the first piece of call <see cref="Index"/> names it (id and function),
/// the next ones carry more of its arguments' JSON text, which the client concatenates.
/// </summary>
public sealed record ChatToolCallDelta(int Index, string? Id, string? Name, string Arguments);
