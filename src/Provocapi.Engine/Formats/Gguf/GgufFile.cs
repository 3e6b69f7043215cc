using System.Buffers.Binary;
using System.Text;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Formats.Gguf;

/// <summary>
/// A GGUF v2/v3 file (ggml's docs/gguf.md): metadata key-values, tensor infos and the aligned tensor data,
/// memory-mapped. Every read is bounds-checked so a truncated or corrupt file is a <see cref="ModelFormatException"/>.
/// </summary>
public sealed unsafe class GgufFile : IDisposable
{
    const uint Magic = 0x46554747; // "GGUF" little-endian
    const int DefaultAlignment = 32;

    readonly MappedFile _file;
    readonly Dictionary<string, GgufTensorInfo> _tensorsByName;

    public string Path => _file.Path;
    public uint Version { get; }
    public IReadOnlyDictionary<string, object> Metadata { get; }
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }
    public long DataOffset { get; }

    GgufFile(MappedFile file, uint version, Dictionary<string, object> metadata, List<GgufTensorInfo> tensors, long dataOffset)
    {
        _file = file;
        Version = version;
        Metadata = metadata;
        Tensors = tensors;
        DataOffset = dataOffset;
        _tensorsByName = new Dictionary<string, GgufTensorInfo>(StringComparer.Ordinal);
        foreach (var t in tensors)
            if (!_tensorsByName.TryAdd(t.Name, t)) throw new ModelFormatException($"{Path}: tensor '{t.Name}' appears twice");
    }

    public static GgufFile Open(string path)
    {
        var file = new MappedFile(path);
        try
        {
            var reader = new Reader(file);
            if (file.Length < 24 || reader.U32() != Magic)
                throw new ModelFormatException($"{path}: not a GGUF file (bad magic)");
            var version = reader.U32();
            if (version is not (2 or 3))
                throw new ModelFormatException($"{path}: GGUF version {version} is not supported (2 and 3 are)");
            var tensorCount = reader.Count("tensor count");
            var kvCount = reader.Count("metadata count");
            var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
            for (long i = 0; i < kvCount; i++)
            {
                var key = reader.String();
                var type = (GgufValueType)reader.U32();
                metadata[key] = reader.Value(type, key);
            }
            var alignment = Alignment(metadata, path);

            var infos = new List<(string Name, long[] Shape, TensorType Type, long Offset)>();
            for (long i = 0; i < tensorCount; i++)
            {
                var name = reader.String();
                var dims = reader.U32();
                if (dims is 0 or > 4) throw new ModelFormatException($"{path}: tensor '{name}' has {dims} dimensions");
                var shape = new long[dims];
                for (var d = 0; d < dims; d++)
                {
                    shape[d] = (long)reader.U64();
                    if (shape[d] <= 0 || shape[d] > 1L << 40) throw new ModelFormatException($"{path}: tensor '{name}' has a bad dimension {shape[d]}");
                }
                var type = (TensorType)reader.U32();
                var offset = (long)reader.U64();
                infos.Add((name, shape, type, offset));
            }
            var dataOffset = (reader.Position + alignment - 1) / alignment * alignment;
            var tensors = new List<GgufTensorInfo>(infos.Count);
            foreach (var (name, shape, type, offset) in infos)
            {
                long bytes = -1;
                if (Enum.IsDefined(type) && TensorTypeInfo.IsSupported(type))
                {
                    var rows = shape.Skip(1).Aggregate(1L, (x, y) => x * y);
                    try { bytes = TensorTypeInfo.RowBytes(type, shape[0]) * rows; }
                    catch (InvalidDataException e) { throw new ModelFormatException($"{path}: tensor '{name}': {e.Message}"); }
                    if (offset < 0 || offset % alignment != 0 || dataOffset + offset > file.Length - bytes)
                        throw new ModelFormatException($"{path}: tensor '{name}' ({TensorTypeInfo.Name(type)} [{string.Join(", ", shape)}], {bytes} bytes at {offset}) runs past the end of the file; the file is truncated or corrupt");
                }
                tensors.Add(new GgufTensorInfo(name, shape, type, offset, bytes));
            }
            return new GgufFile(file, version, metadata, tensors, dataOffset);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public bool TryGetTensor(string name, out GgufTensorInfo info) => _tensorsByName.TryGetValue(name, out info!);

    public GgufTensorInfo Tensor(string name) =>
        _tensorsByName.TryGetValue(name, out var t) ? t : throw new ModelFormatException($"{Path}: tensor '{name}' is missing");

    /// <summary>The address of a tensor's data inside the mapping; valid while this file is open.</summary>
    public byte* TensorData(GgufTensorInfo info)
    {
        if (info.ByteSize < 0)
            throw new ModelFormatException($"{Path}: tensor '{info.Name}' has type {TensorTypeInfo.Name(info.Type)}, which is not supported");
        return _file.At(DataOffset + info.Offset, info.ByteSize);
    }

    public bool Has(string key) => Metadata.ContainsKey(key);

    public string? GetString(string key) => Metadata.TryGetValue(key, out var v) ? v as string : null;

    public long? GetInteger(string key) => Metadata.TryGetValue(key, out var v) && v is not (string or Array or float or double or bool) ? Convert.ToInt64(v) : null;

    /// <summary>general.alignment: an integer power of two (the specification's type is uint32), 32 when absent.</summary>
    static long Alignment(Dictionary<string, object> metadata, string path)
    {
        if (!metadata.TryGetValue("general.alignment", out var value)) return DefaultAlignment;
        long alignment = value switch
        {
            byte or sbyte or ushort or short or uint or int or long => Convert.ToInt64(value),
            ulong u when u <= long.MaxValue => (long)u,
            _ => 0,
        };
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0)
            throw new ModelFormatException($"{path}: general.alignment ({value}) is not an integer power of two");
        return alignment;
    }

    public double? GetFloat(string key) => Metadata.TryGetValue(key, out var v) && v is float or double or int or uint or long ? Convert.ToDouble(v) : null;

    public bool? GetBool(string key) => Metadata.TryGetValue(key, out var v) && v is bool b ? b : null;

    public T[]? GetArray<T>(string key) => Metadata.TryGetValue(key, out var v) ? v as T[] : null;

    /// <summary>See <see cref="MappedFile.ReleasePages"/>.</summary>
    public void ReleasePages(byte* start, long length) => _file.ReleasePages(start, length);

    public void Dispose() => _file.Dispose();

    /// <summary>Sequential, bounds-checked reader over the header.</summary>
    sealed class Reader(MappedFile file)
    {
        public long Position { get; private set; }

        ReadOnlySpan<byte> Take(int n)
        {
            var span = file.Span(Position, n);
            Position += n;
            return span;
        }

        public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
        public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        public long Count(string what)
        {
            var n = U64();
            if (n > int.MaxValue) throw new ModelFormatException($"{file.Path}: {what} {n} is not plausible; the file is corrupt");
            return (long)n;
        }

        public string String()
        {
            var length = U64();
            if (length > (ulong)(file.Length - Position)) throw new ModelFormatException($"{file.Path}: a string of {length} bytes at offset {Position} runs past the end of the file");
            return Encoding.UTF8.GetString(Take((int)length));
        }

        public object Value(GgufValueType type, string key) => type switch
        {
            GgufValueType.UInt8 => Take(1)[0],
            GgufValueType.Int8 => (sbyte)Take(1)[0],
            GgufValueType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(Take(2)),
            GgufValueType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(Take(2)),
            GgufValueType.UInt32 => U32(),
            GgufValueType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(Take(4)),
            GgufValueType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(Take(4)),
            GgufValueType.Bool => Take(1)[0] != 0,
            GgufValueType.String => String(),
            GgufValueType.UInt64 => U64(),
            GgufValueType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(Take(8)),
            GgufValueType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(Take(8)),
            GgufValueType.Array => Array(key),
            _ => throw new ModelFormatException($"{file.Path}: metadata '{key}' has unknown value type {(uint)type}"),
        };

        Array Array(string key)
        {
            var type = (GgufValueType)U32();
            var count = Count($"length of array '{key}'");
            if (count > file.Length - Position) throw new ModelFormatException($"{file.Path}: array '{key}' of {count} items runs past the end of the file");
            return type switch
            {
                GgufValueType.String => Fill(count, String),
                GgufValueType.Float32 => Fill(count, () => BinaryPrimitives.ReadSingleLittleEndian(Take(4))),
                GgufValueType.Int32 => Fill(count, () => BinaryPrimitives.ReadInt32LittleEndian(Take(4))),
                GgufValueType.UInt32 => Fill(count, U32),
                GgufValueType.Array => throw new ModelFormatException($"{file.Path}: nested array in '{key}' is not supported"),
                _ => Fill(count, () => Value(type, key)),
            };
        }

        static T[] Fill<T>(long count, Func<T> read)
        {
            var items = new T[count];
            for (long i = 0; i < count; i++) items[i] = read();
            return items;
        }
    }
}
