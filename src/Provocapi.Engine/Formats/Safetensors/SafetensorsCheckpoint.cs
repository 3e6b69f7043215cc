using System.Text.Json;

namespace Provocapi.Engine.Formats.Safetensors;

/// <summary>
/// The weights of a Hugging Face model folder: one <c>model.safetensors</c>, or shards listed by
/// <c>model.safetensors.index.json</c>'s <c>weight_map</c>. Tensor names resolve to the shard that holds them.
/// </summary>
public sealed class SafetensorsCheckpoint : IDisposable
{
    readonly List<SafetensorsFile> _shards;
    readonly Dictionary<string, SafetensorsFile> _owner;

    SafetensorsCheckpoint(List<SafetensorsFile> shards)
    {
        _shards = shards;
        _owner = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        foreach (var shard in shards)
            foreach (var name in shard.Tensors.Keys)
                _owner[name] = shard;
    }

    public static SafetensorsCheckpoint Open(string folder)
    {
        var single = Path.Combine(folder, "model.safetensors");
        var index = Path.Combine(folder, "model.safetensors.index.json");
        var shardNames = new List<string>();
        if (File.Exists(single)) shardNames.Add("model.safetensors");
        else if (File.Exists(index))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(index));
                shardNames.AddRange(doc.RootElement.GetProperty("weight_map").EnumerateObject()
                    .Select(p => p.Value.GetString() ?? throw new ModelFormatException($"{index}: weight_map entry '{p.Name}' is not a file name"))
                    .Distinct(StringComparer.Ordinal));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new ModelFormatException($"{index}: not a valid safetensors index ({e.Message})");
            }
        }
        else throw new ModelFormatException($"{folder}: no model.safetensors or model.safetensors.index.json");

        var shards = new List<SafetensorsFile>();
        try
        {
            foreach (var name in shardNames)
            {
                var path = Path.GetFullPath(Path.Combine(folder, name));
                if (!path.StartsWith(Path.GetFullPath(folder), StringComparison.Ordinal))
                    throw new ModelFormatException($"{index}: shard '{name}' is outside the model folder");
                shards.Add(SafetensorsFile.Open(path));
            }
        }
        catch
        {
            foreach (var s in shards) s.Dispose();
            throw;
        }
        return new SafetensorsCheckpoint(shards);
    }

    public bool Has(string name) => _owner.ContainsKey(name);

    public (SafetensorsFile File, SafetensorsTensorInfo Info) Tensor(string name) =>
        _owner.TryGetValue(name, out var file)
            ? (file, file.Tensors[name])
            : throw new ModelFormatException($"tensor '{name}' is missing from the checkpoint");

    public void Dispose()
    {
        foreach (var s in _shards) s.Dispose();
    }
}
