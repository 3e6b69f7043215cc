using System.Text.RegularExpressions;
using Provocapi.Engine.Tokenizers;

namespace Provocapi.Engine.Tests.Tokenizers;

public class OnigurumaPatternTests
{
    [Theory]
    [InlineData(@"[^\r\n\p{L}\p{N}]?+\p{L}+", @"(?>[^\u000D\u000A\p{L}\p{N}]?)\p{L}+")]
    [InlineData(@" ?[^\s\p{L}\p{N}]++[\r\n]*", @" ?(?>[^\s\p{L}\p{N}]+)[\u000D\u000A]*")]
    [InlineData(@"(ab)*+c", @"(?>(ab)*)c")]
    [InlineData(@"\pL\pN", @"\p{L}\p{N}")]
    [InlineData(@"a{2,3}+", @"(?>a{2,3})")]
    [InlineData(@"a{x}", @"a\{x}")]
    [InlineData(@"'(?i:[sdmt]|ll)", @"'(?i:[sdmt]|ll)")]
    [InlineData(@"(?i)x+?", @"(?i)x+?")]
    [InlineData(@"\h+", @"[0-9a-fA-F]+")]
    [InlineData(@"\x{41}\x{1F999}", "A\uA490")]
    [InlineData(@"[a-z\x{10400}-\x{1044F}]", "[a-z\u0100\u0101]")]
    [InlineData(@"[\-\]]", @"[\u002D\u005D]")]
    public void Rewrites_to_dot_net_syntax(string pattern, string expected)
    {
        var translated = OnigurumaPattern.ToDotNet(pattern);

        Assert.Equal(expected, translated);
        _ = new Regex(translated);
    }
}
