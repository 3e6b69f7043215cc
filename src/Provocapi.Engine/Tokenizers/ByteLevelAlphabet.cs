namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// GPT-2's reversible map from bytes to printable characters (bytes_to_unicode in OpenAI's encoder.py): printable Latin-1
/// bytes stand for themselves, the other 68 become U+0100 onwards in byte order, so every byte sequence is a string of
/// visible characters and byte-level BPE vocabularies can be stored as text.
/// </summary>
internal static class ByteLevelAlphabet
{
    static readonly char[] ByteToChar = BuildByteToChar();
    static readonly short[] CharToByte = BuildCharToByte();

    public static char CharOf(byte b) => ByteToChar[b];

    public static bool TryGetByte(char c, out byte b)
    {
        if (c < CharToByte.Length && CharToByte[c] >= 0)
        {
            b = (byte)CharToByte[c];
            return true;
        }
        b = 0;
        return false;
    }

    static bool IsPrintable(int b) => b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;

    static char[] BuildByteToChar()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++) map[b] = IsPrintable(b) ? (char)b : (char)next++;
        return map;
    }

    static short[] BuildCharToByte()
    {
        var map = new short[256 + 68];
        Array.Fill(map, (short)-1);
        for (var b = 0; b < 256; b++) map[ByteToChar[b]] = (short)b;
        return map;
    }
}
