using System.Text;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// A Hugging Face tokenizer.json normalizer other than BERT's (which <see cref="BertTextSplitter"/> implements): Unicode
/// normalization forms, lower-casing, literal replacement, prepending and stripping, alone or in a sequence.
/// </summary>
internal sealed class TextNormalizer
{
    readonly Func<string, string>[] _steps;

    public TextNormalizer(IEnumerable<Func<string, string>> steps) => _steps = [.. steps];

    public static Func<string, string> UnicodeForm(NormalizationForm form) => text => text.IsNormalized(form) ? text : text.Normalize(form);

    public static Func<string, string> Lowercase { get; } = text => text.ToLowerInvariant();

    public static Func<string, string> Replace(string pattern, string content) => text => text.Replace(pattern, content, StringComparison.Ordinal);

    public static Func<string, string> Prepend(string prefix) => text => text.Length == 0 ? text : prefix + text;

    public static Func<string, string> Strip(bool left, bool right) => text => (left, right) switch
    {
        (true, true) => text.Trim(),
        (true, false) => text.TrimStart(),
        (false, true) => text.TrimEnd(),
        _ => text,
    };

    public string Normalize(string text)
    {
        foreach (var step in _steps) text = step(text);
        return text;
    }
}
