using System.Buffers;
using System.Text;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// Decodes ids one at a time into text that is safe to show as it comes: bytes of a character split across tokens
/// (byte-fallback tokens, byte-level BPE) are held back until the character is complete, so valid output never shows
/// U+FFFD. Not thread-safe; one per generation.
/// </summary>
public sealed class StreamingDecoder
{
    readonly Tokenizer _tokenizer;
    readonly bool _skipSpecial;
    bool _atTextStart;
    byte[] _pending = new byte[16];
    int _pendingCount;

    internal StreamingDecoder(Tokenizer tokenizer, bool skipSpecial, bool atTextStart)
    {
        _tokenizer = tokenizer;
        _skipSpecial = skipSpecial;
        _atTextStart = atTextStart;
    }

    /// <summary>The text that token <paramref name="id"/> completes; empty while a character is still partial.</summary>
    public string Append(int id)
    {
        var piece = _tokenizer.Piece(id, _skipSpecial);
        if (piece.IsEmpty) return "";
        if (_atTextStart)
        {
            piece = _tokenizer.WithoutPrefixSpace(piece);
            _atTextStart = false;
        }
        if (_pendingCount + piece.Length > _pending.Length) Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingCount + piece.Length));
        piece.CopyTo(_pending.AsSpan(_pendingCount));
        _pendingCount += piece.Length;

        var complete = CompleteLength(_pending.AsSpan(0, _pendingCount));
        if (complete == 0) return "";
        var text = Encoding.UTF8.GetString(_pending, 0, complete);
        _pending.AsSpan(complete, _pendingCount - complete).CopyTo(_pending);
        _pendingCount -= complete;
        return text;
    }

    /// <summary>Whatever is held back, as text (an incomplete character becomes U+FFFD); call at the end of generation.</summary>
    public string Flush()
    {
        var text = Encoding.UTF8.GetString(_pending, 0, _pendingCount);
        _pendingCount = 0;
        return text;
    }

    /// <summary>
    /// The length of <paramref name="bytes"/> without a trailing sequence that is incomplete but could still become a
    /// valid character. Invalid bytes are not held back: no later byte can mend them.
    /// </summary>
    internal static int CompleteLength(ReadOnlySpan<byte> bytes)
    {
        var start = bytes.Length - 1;
        var floor = Math.Max(0, bytes.Length - 4);
        while (start > floor && (bytes[start] & 0xC0) == 0x80) start--;
        if (start < 0) return 0;
        return Rune.DecodeFromUtf8(bytes[start..], out _, out _) == OperationStatus.NeedMoreData ? start : bytes.Length;
    }
}
