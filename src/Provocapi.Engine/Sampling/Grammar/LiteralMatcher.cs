namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>Fixed bytes: true, false, null, or a const or enum member's JSON.</summary>
public sealed record LiteralMatcher(byte[] Json, int Position = 0) : JsonMatcher
{
    public override JsonMatcher? Step(byte b) => Position < Json.Length && Json[Position] == b ? this with { Position = Position + 1 } : null;

    public override bool CanEnd => Position == Json.Length;

    public override int MinRemaining => Json.Length - Position;

    // The bytes come from the schema node and never change, so the array's identity stands for its content.
    public bool Equals(LiteralMatcher? other) => other is not null && ReferenceEquals(Json, other.Json) && Position == other.Position;

    public override int GetHashCode() => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Json), Position);
}
