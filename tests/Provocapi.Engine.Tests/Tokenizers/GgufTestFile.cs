using System.Text;

namespace Provocapi.Engine.Tests.Tokenizers;

/// <summary>Writes small GGUF v3 files holding only metadata, for tests of how loaders treat odd or broken files.</summary>
public sealed class GgufTestFile
{
    readonly List<(string Key, Action<BinaryWriter> Write)> _entries = [];

    public GgufTestFile Add(string key, string value) => Entry(key, w => { w.Write(8u); WriteString(w, value); });

    public GgufTestFile Add(string key, bool value) => Entry(key, w => { w.Write(7u); w.Write(value); });

    public GgufTestFile Add(string key, uint value) => Entry(key, w => { w.Write(4u); w.Write(value); });

    public GgufTestFile Add(string key, string[] values) => Entry(key, w =>
    {
        w.Write(9u);
        w.Write(8u);
        w.Write((ulong)values.Length);
        foreach (var v in values) WriteString(w, v);
    });

    public GgufTestFile Add(string key, int[] values) => Entry(key, w =>
    {
        w.Write(9u);
        w.Write(5u);
        w.Write((ulong)values.Length);
        foreach (var v in values) w.Write(v);
    });

    public GgufTestFile Add(string key, float[] values) => Entry(key, w =>
    {
        w.Write(9u);
        w.Write(6u);
        w.Write((ulong)values.Length);
        foreach (var v in values) w.Write(v);
    });

    /// <summary>Writes the file to a new temporary path and returns it; the caller deletes it.</summary>
    public string Write()
    {
        var path = Path.Combine(Path.GetTempPath(), $"provocapi-test-{Guid.NewGuid():N}.gguf");
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write(0x46554747u);
        writer.Write(3u);
        writer.Write(0UL);
        writer.Write((ulong)_entries.Count);
        foreach (var (key, write) in _entries)
        {
            WriteString(writer, key);
            write(writer);
        }
        writer.Write(new byte[32]);
        return path;
    }

    GgufTestFile Entry(string key, Action<BinaryWriter> write)
    {
        _entries.Add((key, write));
        return this;
    }

    static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }
}
