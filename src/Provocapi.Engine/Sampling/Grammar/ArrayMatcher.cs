namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>A JSON array of <see cref="ArrayNode.Items"/>, between minItems and maxItems long.</summary>
public sealed record ArrayMatcher(ArrayNode Node, ArrayMatcher.Phase At = ArrayMatcher.Phase.Open, int Count = 0, int Gap = 0, JsonMatcher? Item = null) : JsonMatcher
{
    public enum Phase : byte { Open, First, Item, AfterItem, Comma, Closed }

    public override JsonMatcher? Step(byte b)
    {
        switch (At)
        {
            case Phase.Open:
                return b == '[' ? this with { At = Phase.First } : null;
            case Phase.First:
                if (b == ']' && Node.MinItems == 0) return this with { At = Phase.Closed, Gap = 0 };
                return Space(b) ?? (Node.MaxItems > 0 ? BeginItem(b) : null);
            case Phase.Comma:
                return Space(b) ?? BeginItem(b);
            case Phase.Item:
                if (Item!.Step(b) is { } item) return this with { Item = item };
                return Item.CanEnd ? (this with { At = Phase.AfterItem, Count = Count + 1, Item = null }).Step(b) : null;
            case Phase.AfterItem:
                if (b == ',' && Count < Node.MaxItems) return this with { At = Phase.Comma, Gap = 0 };
                if (b == ']' && Count >= Node.MinItems) return this with { At = Phase.Closed, Gap = 0 };
                return Space(b);
            default:
                return null;
        }
    }

    ArrayMatcher? Space(byte b) => NextGap(Gap, b) is { } gap ? this with { Gap = gap } : null;

    ArrayMatcher? BeginItem(byte b) => Start(Node.Items).Step(b) is { } item ? this with { At = Phase.Item, Item = item, Gap = 0 } : null;

    public override bool CanEnd => At == Phase.Closed;

    public override int MinRemaining
    {
        get
        {
            var item = Node.Items.MinLength;
            // Items still owed after the ones written or being written, each with its comma, then the bracket.
            int Owed(int written) => JsonSchemaNode.Saturate(Math.Max(0, Node.MinItems - written) * (long)(item + 1) + 1);
            return At switch
            {
                Phase.Open => Node.MinLength,
                Phase.First => Node.MinLength - 1,
                Phase.Comma => JsonSchemaNode.Saturate((long)item + Owed(Count + 1)),
                Phase.Item => JsonSchemaNode.Saturate((long)Item!.MinRemaining + Owed(Count + 1)),
                Phase.AfterItem => Owed(Count),
                _ => 0,
            };
        }
    }
}
