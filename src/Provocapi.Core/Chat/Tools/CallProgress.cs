namespace Provocapi.Core.Chat.Tools;

/// <summary>
/// How much of a call object (<c>{"name": ..., "arguments": {...}}</c>) a streaming reply has written so far: its name
/// once the name's string is whole, where its arguments object starts and how far it goes (to the end of the text
/// while it is open), and where the call object ends. Reads structure only (strings, brackets, literals); whether the
/// JSON is valid is for the parser of the whole reply.
/// </summary>
internal readonly record struct CallProgress(string? Name, int ArgumentsStart, int ArgumentsEnd, int End)
{
    public bool HasArguments => ArgumentsStart >= 0;
    public bool IsClosed => End >= 0;
}
