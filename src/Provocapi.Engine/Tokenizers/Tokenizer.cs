using Provocapi.Engine.Formats.Gguf;
namespace Provocapi.Engine.Tokenizers;
public abstract class Tokenizer
{
    public abstract int VocabSize { get; }
    public int? BosId { get; protected set; }
    public int? EosId { get; protected set; }
    public bool AddBos { get; protected set; }
    public bool AddEos { get; protected set; }
    public IReadOnlySet<int> EndOfGenerationIds { get; protected set; } = new HashSet<int>();
    public abstract int[] Encode(string text, bool addSpecial = true, bool parseSpecial = true);
    public abstract string Decode(ReadOnlySpan<int> ids, bool skipSpecial = false);
    public abstract string TokenText(int id);
    public abstract bool IsSpecial(int id);
    public abstract StreamingDecoder CreateStreamingDecoder(bool skipSpecial = true);
    public static Tokenizer FromGguf(GgufFile file) => throw new NotImplementedException(file.Path);
    public static Tokenizer FromHuggingFaceFolder(string folder) => throw new NotImplementedException(folder);
}
public abstract class StreamingDecoder
{
    public abstract string Append(int id);
    public abstract string Flush();
}
