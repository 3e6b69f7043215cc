using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// SentencePiece's compiled normalization rules (the "Precompiled" normalizer of tokenizer.json, XLM-R's nmt_nfkc): a
/// Darts-clone double-array trie over UTF-8 keys whose values index NUL-terminated replacements. Blob layout: the trie's
/// size in bytes (uint32, little-endian), the trie's 32-bit units, then the replacement strings. As in Hugging Face's
/// Precompiled, each grapheme shorter than 6 UTF-8 bytes is looked up whole first, then each character on its own.
/// </summary>
internal sealed class PrecompiledCharsMap
{
    readonly uint[] _units;
    readonly byte[] _replacements;

    PrecompiledCharsMap(uint[] units, byte[] replacements)
    {
        _units = units;
        _replacements = replacements;
    }

    public static PrecompiledCharsMap Parse(byte[] blob)
    {
        if (blob.Length < 4) throw new FormatException("precompiled_charsmap is shorter than its header");
        var trieBytes = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieBytes % 4 != 0 || trieBytes > blob.Length - 4) throw new FormatException($"precompiled_charsmap declares a trie of {trieBytes} bytes in a blob of {blob.Length}");
        var units = new uint[trieBytes / 4];
        for (var i = 0; i < units.Length; i++) units[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(4 + i * 4));
        return new PrecompiledCharsMap(units, blob[(int)(4 + trieBytes)..]);
    }

    public string Normalize(string text)
    {
        var output = new StringBuilder(text.Length);
        var graphemes = StringInfo.GetTextElementEnumerator(text);
        while (graphemes.MoveNext())
        {
            var grapheme = (string)graphemes.Current;
            if (Encoding.UTF8.GetByteCount(grapheme) < 6 && Replacement(grapheme) is { } whole)
            {
                output.Append(whole);
                continue;
            }
            foreach (var rune in grapheme.EnumerateRunes())
            {
                var character = rune.ToString();
                output.Append(Replacement(character) ?? character);
            }
        }
        return output.ToString();
    }

    /// <summary>The replacement of the first (shortest) key that prefixes <paramref name="chunk"/>, or null.</summary>
    string? Replacement(string chunk)
    {
        var key = Encoding.UTF8.GetBytes(chunk);
        if (FirstPrefixValue(key) is not int offset || offset >= _replacements.Length) return null;
        var end = Array.IndexOf(_replacements, (byte)0, offset);
        return Encoding.UTF8.GetString(_replacements, offset, (end < 0 ? _replacements.Length : end) - offset);
    }

    /// <summary>Darts-clone's commonPrefixSearch, stopped at the first match.</summary>
    int? FirstPrefixValue(ReadOnlySpan<byte> key)
    {
        if (_units.Length == 0) return null;
        var position = Offset(_units[0]);
        foreach (var b in key)
        {
            position ^= b;
            if (position >= (uint)_units.Length) return null;
            var unit = _units[position];
            if (Label(unit) != b) return null;
            position ^= Offset(unit);
            if (HasLeaf(unit)) return position < (uint)_units.Length ? (int)Value(_units[position]) : null;
        }
        return null;
    }

    static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;
    static uint Value(uint unit) => unit & 0x7FFFFFFF;
    static uint Label(uint unit) => unit & 0x800000FF;
    static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);
}
