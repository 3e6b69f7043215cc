namespace Provocapi.Engine.Tokenizers;

/// <summary>Whether an added token swallows the whitespace on its left and on its right.</summary>
internal readonly record struct WhitespaceStrip(bool Left, bool Right);
