namespace Provocapi.Engine.Tokenizers;

/// <summary>A token found in text, covering text[Start..End): its own text at [TokenStart..TokenEnd) and the whitespace it strips.</summary>
internal readonly record struct SpecialTokenMatch(int Id, int Start, int End, int TokenStart, int TokenEnd);
