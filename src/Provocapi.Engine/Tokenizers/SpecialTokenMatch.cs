namespace Provocapi.Engine.Tokenizers;

/// <summary>A token found in text, covering text[Start..End).</summary>
internal readonly record struct SpecialTokenMatch(int Id, int Start, int End);
