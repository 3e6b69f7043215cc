using Provocapi.Engine.Sampling;

namespace Provocapi.Engine.Tests.Sampling;

public sealed class StopStringMatcherTests
{
    [Fact]
    public void Holds_back_a_possible_stop_and_cuts_at_it()
    {
        var m = new StopStringMatcher(["</end>"]);
        Assert.Equal("Hello ", m.Push("Hello <"));
        Assert.Equal("", m.Push("/en"));
        Assert.False(m.Stopped);
        Assert.Equal("", m.Push("d> more"));
        Assert.True(m.Stopped);
    }

    [Fact]
    public void Releases_held_text_that_turned_out_not_to_stop()
    {
        var m = new StopStringMatcher(["STOP"]);
        Assert.Equal("a", m.Push("aST"));
        Assert.Equal("STx", m.Push("x"));
        Assert.Equal("S", m.Push("S") + m.Flush());
    }

    [Fact]
    public void Earliest_of_several_stops_wins_and_text_before_is_kept()
    {
        var m = new StopStringMatcher(["b", "xyz"]);
        Assert.Equal("a", m.Push("axyzb"));
        Assert.True(m.Stopped);
    }

    [Fact]
    public void No_stops_passes_everything()
    {
        var m = new StopStringMatcher([]);
        Assert.Equal("abc", m.Push("abc"));
        Assert.Equal("", m.Flush());
    }
}
