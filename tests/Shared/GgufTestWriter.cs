using System.Text;

namespace Provocapi.Tests;

/// <summary>Writes small GGUF v3 files for tests, including deliberately broken ones.</summary>
public sealed class GgufTestWriter
{
    readonly List<(string Key, uint Type, byte[] Value)> _metadata = [];
    readonly List<(string Name, long[] Shape, uint Type, byte[] Data, ulong? Offset)> _tensors = [];

    public GgufTestWriter String(string key, string value) => Add(key, 8, Str(value));
    public GgufTestWriter UInt32(string key, uint value) => Add(key, 4, BitConverter.GetBytes(value));
    public GgufTestWriter Float32(string key, float value) => Add(key, 6, BitConverter.GetBytes(value));

    /// <summary>A value of any GGUF type, given as the bytes that follow its type id (for broken or unusual values).</summary>
    public GgufTestWriter Raw(string key, uint type, byte[] value) => Add(key, type, value);

    /// <summary>A tensor; its data goes after the previous one's, or <paramref name="offset"/> is written in its place.</summary>
    public GgufTestWriter Tensor(string name, long[] shape, uint type, byte[] data, ulong? offset = null)
    {
        _tensors.Add((name, shape, type, data, offset));
        return this;
    }

    GgufTestWriter Add(string key, uint type, byte[] value)
    {
        _metadata.Add((key, type, value));
        return this;
    }

    static byte[] Str(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        return [.. BitConverter.GetBytes((ulong)bytes.Length), .. bytes];
    }

    public byte[] Build()
    {
        using var stream = new MemoryStream();
        var w = new BinaryWriter(stream);
        w.Write(0x46554747u);
        w.Write(3u);
        w.Write((ulong)_tensors.Count);
        w.Write((ulong)_metadata.Count);
        foreach (var (key, type, value) in _metadata)
        {
            w.Write(Str(key));
            w.Write(type);
            w.Write(value);
        }
        long offset = 0;
        foreach (var (name, shape, type, data, written) in _tensors)
        {
            w.Write(Str(name));
            w.Write((uint)shape.Length);
            foreach (var d in shape) w.Write((ulong)d);
            w.Write(type);
            w.Write(written ?? (ulong)offset);
            offset += (data.Length + 31) / 32 * 32;
        }
        w.Flush();
        while (stream.Length % 32 != 0) w.Write((byte)0);
        foreach (var (_, _, _, data, _) in _tensors)
        {
            w.Write(data);
            while (stream.Length % 32 != 0) w.Write((byte)0);
        }
        w.Flush();
        return stream.ToArray();
    }

    public string WriteTemp()
    {
        var path = Path.Combine(Path.GetTempPath(), $"provocapi-test-{Guid.NewGuid():N}.gguf");
        File.WriteAllBytes(path, Build());
        return path;
    }
}
