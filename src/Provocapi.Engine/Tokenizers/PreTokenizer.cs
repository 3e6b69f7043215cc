namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// Cuts text into the pieces BPE runs on, by applying its splitters in sequence, each to every piece the previous one
/// produced (Hugging Face's Sequence pre-tokenizer; llama.cpp's list of regex_exprs).
/// </summary>
internal sealed class PreTokenizer(IReadOnlyList<TextSplitter> steps)
{
    [ThreadStatic] static List<TextRange>? t_scratch;

    public IReadOnlyList<TextSplitter> Steps => steps;

    /// <summary>Appends the pieces of <paramref name="text"/> to <paramref name="output"/> as ranges of it, in order.</summary>
    public void Split(ReadOnlySpan<char> text, List<TextRange> output)
    {
        if (text.IsEmpty) return;
        var first = output.Count;
        if (steps.Count == 0)
        {
            output.Add(new TextRange(0, text.Length));
            return;
        }
        steps[0].Split(text, 0, output);
        if (steps.Count == 1) return;
        var scratch = t_scratch ??= [];
        for (var s = 1; s < steps.Count; s++)
        {
            scratch.Clear();
            for (var p = first; p < output.Count; p++)
            {
                var piece = output[p];
                steps[s].Split(text.Slice(piece.Start, piece.Length), piece.Start, scratch);
            }
            output.RemoveRange(first, output.Count - first);
            output.AddRange(scratch);
        }
        scratch.Clear();
    }
}
