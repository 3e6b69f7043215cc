using System.Buffers.Binary;
using System.Text.Json;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Formats.Safetensors;

/// <summary>
/// A memory-mapped .safetensors file: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw data (huggingface/safetensors' format description).
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    readonly MappedFile _file;
    readonly long _dataStart;

    public string Path => _file.Path;
    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors { get; }

    SafetensorsFile(MappedFile file, long dataStart, Dictionary<string, SafetensorsTensorInfo> tensors)
    {
        _file = file;
        _dataStart = dataStart;
        Tensors = tensors;
    }

    public static SafetensorsFile Open(string path)
    {
        var file = new MappedFile(path);
        try
        {
            if (file.Length < 8) throw new ModelFormatException($"{path}: too short to be a safetensors file");
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file.Span(0, 8));
            if (headerLength > 100_000_000 || (long)headerLength > file.Length - 8)
                throw new ModelFormatException($"{path}: header length {headerLength} does not fit the file; it is truncated or not safetensors");
            var dataStart = 8 + (long)headerLength;
            var dataLength = file.Length - dataStart;
            var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
            JsonDocument header;
            try { header = JsonDocument.Parse(file.Span(8, (int)headerLength).ToArray()); }
            catch (JsonException e) { throw new ModelFormatException($"{path}: the header is not valid JSON ({e.Message})"); }
            using (header)
            {
                foreach (var entry in header.RootElement.EnumerateObject())
                {
                    if (entry.Name == "__metadata__") continue;
                    var info = ParseEntry(path, entry);
                    if (info.Begin < 0 || info.End < info.Begin || info.End > dataLength)
                        throw new ModelFormatException($"{path}: tensor '{info.Name}' spans bytes {info.Begin}..{info.End} but the data holds {dataLength}; the file is truncated or corrupt");
                    if (info.DType is "F32" or "F16" or "BF16")
                    {
                        var expected = info.Shape.Aggregate(1L, (a, b) => a * b) * (info.DType == "F32" ? 4 : 2);
                        if (expected != info.End - info.Begin)
                            throw new ModelFormatException($"{path}: tensor '{info.Name}' has shape [{string.Join(", ", info.Shape)}] ({expected} bytes) but spans {info.End - info.Begin} bytes");
                    }
                    tensors[info.Name] = info;
                }
            }
            return new SafetensorsFile(file, dataStart, tensors);
        }
        catch (Exception e) when (e is not ModelFormatException)
        {
            file.Dispose();
            throw new ModelFormatException($"{path}: not a valid safetensors file ({e.Message})", e);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    static SafetensorsTensorInfo ParseEntry(string path, JsonProperty entry)
    {
        try
        {
            var dtype = entry.Value.GetProperty("dtype").GetString() ?? "";
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            if (offsets.Length != 2 || shape.Any(s => s < 0)) throw new FormatException("bad shape or offsets");
            return new SafetensorsTensorInfo(entry.Name, dtype, shape, offsets[0], offsets[1]);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ModelFormatException($"{path}: tensor '{entry.Name}' has a malformed header entry ({e.Message})");
        }
    }

    /// <summary>The address of a tensor's data inside the mapping; valid while this file is open.</summary>
    public byte* TensorData(SafetensorsTensorInfo info)
    {
        _ = info.Type;
        return _file.At(_dataStart + info.Begin, info.End - info.Begin);
    }

    public void Dispose() => _file.Dispose();
}
