using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Provocapi.Engine.Models;
using Provocapi.Engine.Models.Adapters;
using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;

namespace Provocapi.Tests;

/// <summary>
/// A LoRA adapter made by a test: random A (rank × in) and B (out × rank) for chosen projections of every layer of a
/// base model, in Hugging Face row order, written as a PEFT folder or a GGUF LoRA file (laid out as llama.cpp's
/// converter writes one), and merged into a copy of the base weights (W + s·B·A) for a reference forward pass.
/// </summary>
public sealed class TestLoraAdapter
{
    readonly Dictionary<(int Layer, LoraProjection Projection), (float[] A, float[] B)> _weights = [];

    public TransformerConfig Config { get; }
    public int Rank { get; }
    public float Alpha { get; }
    public bool UseRsLora { get; }
    public IReadOnlyList<LoraProjection> Targets { get; }
    public float Scale => UseRsLora ? Alpha / MathF.Sqrt(Rank) : Alpha / Rank;

    TestLoraAdapter(TransformerConfig config, int rank, float alpha, bool useRsLora, IReadOnlyList<LoraProjection> targets)
    {
        Config = config;
        Rank = rank;
        Alpha = alpha;
        UseRsLora = useRsLora;
        Targets = targets;
    }

    /// <summary>Values of about 1/√in for A and 1/√rank for B, so the update is as large as the base weights' own effect.</summary>
    public static TestLoraAdapter Random(TransformerConfig config, int rank, float alpha, int seed, IReadOnlyList<LoraProjection>? targets = null, bool useRsLora = false)
    {
        var adapter = new TestLoraAdapter(config, rank, alpha, useRsLora, targets ?? LoraProjections.All);
        var random = new Random(seed);
        // Exact F16 values, as adapters are stored, so runs with them and the merged F32 reference see the same numbers.
        float[] Values(int count, int fanIn) => Enumerable.Range(0, count).Select(_ => (float)(Half)((random.NextSingle() * 2 - 1) * 1.7f / MathF.Sqrt(fanIn))).ToArray();
        for (var layer = 0; layer < config.LayerCount; layer++)
            foreach (var p in adapter.Targets)
            {
                var (outputs, inputs) = LoraProjections.Shape(p, config);
                adapter._weights[(layer, p)] = (Values(rank * inputs, inputs), Values(outputs * rank, rank));
            }
        return adapter;
    }

    public (float[] A, float[] B) Weights(int layer, LoraProjection projection) => _weights[(layer, projection)];

    /// <summary>Writes <c>adapter_config.json</c> and <c>adapter_model.safetensors</c> (F32) into a new folder.</summary>
    public string WritePeft(string? folder = null, IReadOnlyList<string>? targetModules = null, int? configRank = null)
    {
        folder ??= Directory.CreateTempSubdirectory("provocapi-lora-").FullName;
        Directory.CreateDirectory(folder);
        var config = new Dictionary<string, object?>
        {
            ["peft_type"] = "LORA",
            ["r"] = configRank ?? Rank,
            ["lora_alpha"] = Alpha,
            ["use_rslora"] = UseRsLora,
            ["target_modules"] = targetModules ?? Targets.Select(LoraProjections.PeftName).ToArray(),
            ["base_model_name_or_path"] = "test/base",
        };
        File.WriteAllText(Path.Combine(folder, "adapter_config.json"), JsonSerializer.Serialize(config));
        var tensors = new List<(string Name, long[] Shape, float[] Data)>();
        foreach (var ((layer, p), (a, b)) in _weights)
        {
            var (outputs, inputs) = LoraProjections.Shape(p, Config);
            var prefix = $"base_model.model.model.layers.{layer}.{LoraProjections.PeftPath(p)}";
            tensors.Add(($"{prefix}.lora_A.weight", [Rank, inputs], a));
            tensors.Add(($"{prefix}.lora_B.weight", [outputs, Rank], b));
        }
        File.WriteAllBytes(Path.Combine(folder, "adapter_model.safetensors"), Safetensors(tensors));
        return folder;
    }

    static byte[] Safetensors(IReadOnlyList<(string Name, long[] Shape, float[] Data)> tensors)
    {
        var header = new Dictionary<string, object>();
        long offset = 0;
        foreach (var (name, shape, data) in tensors)
        {
            header[name] = new { dtype = "F32", shape, data_offsets = new[] { offset, offset + data.Length * 4L } };
            offset += data.Length * 4L;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var padded = (json.Length + 7) / 8 * 8;
        using var stream = new MemoryStream();
        stream.Write(BitConverter.GetBytes((ulong)padded));
        stream.Write(json);
        for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var (_, _, data) in tensors) stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
        return stream.ToArray();
    }

    /// <summary>
    /// A GGUF LoRA file as llama.cpp's <c>convert_lora_to_gguf.py</c> writes one: lora_a [in, rank], lora_b [rank, out],
    /// and, for Llama, B's query and key rows permuted as the converter permutes the base weights (each head's
    /// rotary halves interleaved: reshape (heads, 2, headDim/2) and swap the last two axes).
    /// </summary>
    public string WriteGguf(string? path = null)
    {
        path ??= Path.Combine(Path.GetTempPath(), $"provocapi-lora-{Guid.NewGuid():N}.gguf");
        var writer = new GgufTestWriter()
            .String("general.architecture", Config.Architecture)
            .String("general.type", "adapter")
            .String("adapter.type", "lora")
            .Float32("adapter.lora.alpha", Alpha);
        foreach (var ((layer, p), (a, b)) in _weights.OrderBy(e => e.Key.Layer).ThenBy(e => e.Key.Projection))
        {
            var (outputs, inputs) = LoraProjections.Shape(p, Config);
            var heads = p == LoraProjection.Query ? Config.HeadCount : Config.KvHeadCount;
            var stored = p is LoraProjection.Query or LoraProjection.Key && Config.Architecture is "llama" or "mistral" ? InterleaveHeads(b, heads, Rank) : b;
            var name = $"blk.{layer}.{LoraProjections.GgufName(p)}.weight";
            writer.Tensor(name + ".lora_a", [inputs, Rank], 0, MemoryMarshal.AsBytes(a.AsSpan()).ToArray());
            writer.Tensor(name + ".lora_b", [Rank, outputs], 0, MemoryMarshal.AsBytes(stored.AsSpan()).ToArray());
        }
        File.WriteAllBytes(path, writer.Build());
        return path;
    }

    /// <summary>new[h, i, j] = old[h, j, i] over rows viewed as (heads, 2, headDim/2).</summary>
    static float[] InterleaveHeads(float[] rows, int heads, int columns)
    {
        var headDim = rows.Length / columns / heads;
        var result = new float[rows.Length];
        for (var h = 0; h < heads; h++)
            for (var j = 0; j < 2; j++)
                for (var i = 0; i < headDim / 2; i++)
                    Array.Copy(rows, (h * headDim + j * headDim / 2 + i) * columns, result, (h * headDim + i * 2 + j) * columns, columns);
        return result;
    }

    /// <summary>A network whose targeted matrices are W + s·B·A in F32, sharing everything else with <paramref name="base"/>
    /// (which must be in Hugging Face row order and outlive it).</summary>
    public Llama Merge(Llama @base)
    {
        var owner = new NativeMatrices();
        var layers = @base.Weights.Layers.Select((w, l) =>
        {
            WeightMatrix M(WeightMatrix m, LoraProjection p) => _weights.TryGetValue((l, p), out var ab) ? owner.Merged(m, ab.A, ab.B, Rank, Scale) : m;
            return w with
            {
                Query = M(w.Query, LoraProjection.Query), Key = M(w.Key, LoraProjection.Key), Value = M(w.Value, LoraProjection.Value),
                Output = M(w.Output, LoraProjection.Output), Gate = M(w.Gate, LoraProjection.Gate), Up = M(w.Up, LoraProjection.Up),
                Down = M(w.Down, LoraProjection.Down),
            };
        }).ToArray();
        return new Llama(@base.Config, @base.Weights with { Layers = layers, Owner = owner });
    }

    sealed unsafe class NativeMatrices : IDisposable
    {
        readonly List<nint> _blocks = [];

        public WeightMatrix Merged(WeightMatrix w, float[] a, float[] b, int rank, float scale)
        {
            var data = (float*)NativeMemory.AlignedAlloc((nuint)(w.Rows * w.Columns * sizeof(float)), 64);
            _blocks.Add((nint)data);
            for (var o = 0; o < w.Rows; o++)
            {
                var row = new Span<float>(data + (long)o * w.Columns, w.Columns);
                Dequantize.RowReference(w, o, row);
                for (var c = 0; c < w.Columns; c++)
                {
                    double delta = 0;
                    for (var r = 0; r < rank; r++) delta += (double)b[o * rank + r] * a[r * w.Columns + c];
                    row[c] += (float)(scale * delta);
                }
            }
            return new WeightMatrix(w.Name + "+lora", TensorType.F32, w.Rows, w.Columns, (byte*)data);
        }

        public void Dispose()
        {
            foreach (var p in _blocks) NativeMemory.AlignedFree((void*)p);
            _blocks.Clear();
        }
    }
}
