namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// The sequence markers of a tokenizer: which ids begin and end a sequence, whether encoding adds them, and further ids
/// that end generation (end of turn, end of message).
/// </summary>
internal sealed record SpecialTokenSettings(int? BosId, int? EosId, bool AddBos, bool AddEos, IReadOnlyList<int> EndOfGenerationIds);
