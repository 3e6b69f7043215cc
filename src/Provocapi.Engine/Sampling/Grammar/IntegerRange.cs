namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>The integers from <see cref="Min"/> to <see cref="Max"/>, both included, within what a matcher may write.</summary>
public sealed record IntegerRange(long Min, long Max)
{
    /// <summary>The largest magnitude of <see cref="NumberMatcher.MaxIntegerDigits"/> digits.</summary>
    public const long Limit = 999_999_999_999_999;

    public bool Contains(long value) => value >= Min && value <= Max;

    public bool Overlaps(long low, long high) => low <= Max && high >= Min;

    /// <summary>The length of the shortest value in the range as JSON: the one nearest zero.</summary>
    public int ShortestLength
    {
        get
        {
            var nearest = Contains(0) ? 0 : Min > 0 ? Min : Max;
            return (nearest < 0 ? 1 : 0) + Math.Abs(nearest).ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        }
    }
}
