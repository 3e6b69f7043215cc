namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// A JSON object. For a closed object (declared properties) a key is matched against the names that may come next
/// (<see cref="Candidates"/> narrows with each byte): those not yet written, or for an ordered object those after the
/// last one written up to the next required one. Each property appears at most once and the braces close only once
/// every required one is there. An open object takes any string keys and any values.
/// </summary>
public sealed record ObjectMatcher(
    ObjectNode Node,
    ObjectMatcher.Phase At = ObjectMatcher.Phase.Open,
    ulong Seen = 0,
    int Gap = 0,
    JsonMatcher? Child = null,
    int Property = -1,
    ulong Candidates = 0,
    int KeyLength = 0) : JsonMatcher
{
    public enum Phase : byte { Open, First, Key, Colon, ValueStart, Value, AfterValue, Comma, Closed }

    public override JsonMatcher? Step(byte b)
    {
        switch (At)
        {
            case Phase.Open:
                return b == '{' ? this with { At = Phase.First } : null;
            case Phase.First:
                if (b == '}' && Node.Required == 0) return Closed();
                return b == '"' ? BeginKey() : Space(b);
            case Phase.Comma:
                return b == '"' ? BeginKey() : Space(b);
            case Phase.Key:
                return Node.IsOpen ? OpenKey(b) : ClosedKey(b);
            case Phase.Colon:
                return b == ':' ? this with { At = Phase.ValueStart, Gap = 0 } : Space(b);
            case Phase.ValueStart:
                if (Space(b) is { } spaced) return spaced;
                return Start(ValueNode).Step(b) is { } value ? this with { At = Phase.Value, Child = value, Gap = 0 } : null;
            case Phase.Value:
                if (Child!.Step(b) is { } child) return this with { Child = child };
                return Child.CanEnd ? (this with { At = Phase.AfterValue, Child = null, Seen = Node.IsOpen ? 0 : Seen | (1UL << Property), Property = -1 }).Step(b) : null;
            case Phase.AfterValue:
                if (b == ',' && (Node.IsOpen || Next != 0)) return this with { At = Phase.Comma, Gap = 0 };
                if (b == '}' && (Node.Required & ~Seen) == 0) return Closed();
                return Space(b);
            default:
                return null;
        }
    }

    ulong All => Node.Properties.Count == 64 ? ulong.MaxValue : (1UL << Node.Properties.Count) - 1;

    ulong Unseen => All & ~Seen;

    /// <summary>The properties that may come next: the unseen ones, or, in order, those after the last seen up to the first required one.</summary>
    ulong Next
    {
        get
        {
            if (!Node.Ordered) return Unseen;
            var after = Seen == 0 ? All : All & ~((2UL << (63 - System.Numerics.BitOperations.LeadingZeroCount(Seen))) - 1);
            var required = after & Node.Required;
            return required == 0 ? after : after & ((required & (0 - required)) * 2 - 1);
        }
    }

    JsonSchemaNode ValueNode => Node.IsOpen ? AnyValueNode.Instance : Node.Properties[Property].Value;

    ObjectMatcher Closed() => this with { At = Phase.Closed, Gap = 0 };

    ObjectMatcher? Space(byte b) => NextGap(Gap, b) is { } gap ? this with { Gap = gap } : null;

    ObjectMatcher BeginKey() => Node.IsOpen
        ? this with { At = Phase.Key, Child = new StringMatcher(StringMatcher.Phase.Body), Gap = 0 }
        : this with { At = Phase.Key, Candidates = Next, KeyLength = 0, Gap = 0 };

    ObjectMatcher? OpenKey(byte b)
    {
        var key = Child!.Step(b);
        if (key == null) return null;
        return key.CanEnd ? this with { At = Phase.Colon, Child = null } : this with { Child = key };
    }

    ObjectMatcher? ClosedKey(byte b)
    {
        ulong narrowed = 0;
        for (var (rest, i) = (Candidates, 0); rest != 0; rest >>= 1, i++)
        {
            if ((rest & 1) == 0) continue;
            var key = Node.Keys[i];
            if (b == '"' && key.Length == KeyLength) return this with { At = Phase.Colon, Property = i, Candidates = 0, KeyLength = 0 };
            if (key.Length > KeyLength && key[KeyLength] == b) narrowed |= 1UL << i;
        }
        return narrowed == 0 ? null : this with { Candidates = narrowed, KeyLength = KeyLength + 1 };
    }

    public override bool CanEnd => At == Phase.Closed;

    public override int MinRemaining => At switch
    {
        Phase.Open => Node.MinLength,
        Phase.First => Node.MissingLength(0),
        Phase.Comma => Node.IsOpen ? 5 : Cheapest(Next, 1),
        Phase.Key => Node.IsOpen ? Child!.MinRemaining + 3 : Cheapest(Candidates, 0),
        Phase.Colon => 1 + ValueNode.MinLength + Missing(Property),
        Phase.ValueStart => ValueNode.MinLength + Missing(Property),
        Phase.Value => Child!.MinRemaining + Missing(Property),
        Phase.AfterValue => Node.MissingLength(Seen),
        _ => 0,
    };

    int Missing(int property) => Node.IsOpen ? 1 : Node.MissingLength(Seen | (1UL << property));

    /// <summary>The shortest way to finish a key among <paramref name="candidates"/> (its rest, quote, colon, value) and then the object.</summary>
    int Cheapest(ulong candidates, int opening)
    {
        var best = int.MaxValue;
        for (var (rest, i) = (candidates, 0); rest != 0; rest >>= 1, i++)
            if ((rest & 1) != 0)
                best = Math.Min(best, opening + Node.Keys[i].Length - KeyLength + 2 + Node.Properties[i].Value.MinLength + Missing(i));
        return best;
    }
}
