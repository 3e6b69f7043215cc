namespace Provocapi.Core.Chat.Templates;

/// <summary>The <c>loop</c> variable inside a for loop: position, neighbours and the <c>cycle</c> helper.</summary>
internal sealed class LoopContext(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }

    public object? Attribute(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(items.Count - Index0),
        "revindex0" => (long)(items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == items.Count - 1,
        "length" => (long)items.Count,
        "depth" => 1L,
        "depth0" => 0L,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : new Undefined("there is no previous item"),
        "nextitem" => Index0 + 1 < items.Count ? items[Index0 + 1] : new Undefined("there is no next item"),
        "cycle" => new NativeFunction("cycle", (_, args) => args.Positional.Count == 0
            ? throw new ChatTemplateException("TypeError: no items for cycling given")
            : args.Positional[Index0 % args.Positional.Count]),
        _ => Undefined.Attribute(this, name),
    };
}
