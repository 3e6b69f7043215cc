using System.Text.Json;
using System.Text.RegularExpressions;
using Provocapi.Engine.Formats;
using Provocapi.Engine.Formats.Gguf;
using Provocapi.Engine.Formats.Safetensors;
using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Models.Adapters;

/// <summary>
/// Reads a LoRA adapter for a given base model: a PEFT folder (<c>adapter_config.json</c> and
/// <c>adapter_model.safetensors</c>) or a GGUF LoRA file (llama.cpp's <c>convert_lora_to_gguf.py</c>). Every tensor
/// is checked against the base model's shapes; weights are kept as F16 (see <see cref="LoraWeights"/>), and the query and key updates get the
/// same row order as the base model's own weights (GGUF Llama files interleave each head's rotary halves).
/// </summary>
public static partial class LoraAdapterLoader
{
    public const string PeftConfigFile = "adapter_config.json";
    public const string PeftWeightsFile = "adapter_model.safetensors";

    /// <summary>A folder or its <c>adapter_config.json</c> is PEFT; any other file is GGUF.</summary>
    public static LoraAdapter Load(string path, string name, TransformerConfig baseConfig)
    {
        if (Directory.Exists(path)) return LoadPeft(path, name, baseConfig);
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: no such adapter file or folder");
        return Path.GetFileName(path) == PeftConfigFile ? LoadPeft(Path.GetDirectoryName(Path.GetFullPath(path))!, name, baseConfig) : LoadGguf(path, name, baseConfig);
    }

    [GeneratedRegex(@"^base_model\.model\.model\.layers\.([0-9]{1,9})\.(self_attn|mlp)\.([a-z_]+)\.lora_([AB])\.weight$")]
    private static partial Regex PeftTensorName();

    public static LoraAdapter LoadPeft(string folder, string name, TransformerConfig c)
    {
        var configPath = Path.Combine(folder, PeftConfigFile);
        var weightsPath = Path.Combine(folder, PeftWeightsFile);
        if (!File.Exists(configPath)) throw new ModelFormatException($"{folder}: no {PeftConfigFile}");
        if (!File.Exists(weightsPath)) throw new ModelFormatException($"{folder}: no {PeftWeightsFile}");
        var config = PeftAdapterConfig.Read(configPath);
        // PEFT's "all-linear" means every linear layer but the output head: for Llama, the seven projections.
        var targets = config.TargetModules is ["all-linear"] ? LoraProjections.All.ToHashSet() : config.TargetModules.Select(m => LoraProjections.FromPeftName(m)
            ?? throw new ModelFormatException($"{configPath}: target module '{m}' is not supported (supported: {string.Join(", ", LoraProjections.All.Select(LoraProjections.PeftName))})")).ToHashSet();

        using var file = SafetensorsFile.Open(weightsPath);
        var found = new Dictionary<(int Layer, LoraProjection Projection, char Part), SafetensorsTensorInfo>();
        foreach (var info in file.Tensors.Values)
        {
            var match = PeftTensorName().Match(info.Name);
            var projection = match.Success ? LoraProjections.FromPeftName(match.Groups[3].Value) : null;
            if (projection == null || LoraProjections.PeftPath(projection.Value) != $"{match.Groups[2].Value}.{match.Groups[3].Value}")
                throw new ModelFormatException($"{weightsPath}: tensor '{info.Name}' is not a LoRA update of a Llama projection");
            var layer = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (layer >= c.LayerCount) throw new ModelFormatException($"{weightsPath}: tensor '{info.Name}' is for layer {layer}, but the base model has {c.LayerCount} layers");
            if (!targets.Contains(projection.Value)) throw new ModelFormatException($"{weightsPath}: tensor '{info.Name}' updates {LoraProjections.PeftName(projection.Value)}, which target_modules does not list");
            found[(layer, projection.Value, match.Groups[4].Value[0])] = info;
        }
        if (found.Count == 0) throw new ModelFormatException($"{weightsPath}: no LoRA tensors");

        var weights = new LoraWeights?[c.LayerCount * LoraProjections.Count];
        var scale = LoraAdapter.ScaleFor(config.Rank, config.Alpha, config.UseRsLora);
        foreach (var ((layer, projection, part), info) in found)
        {
            if (part != 'A') continue;
            if (!found.TryGetValue((layer, projection, 'B'), out var bInfo))
                throw new ModelFormatException($"{weightsPath}: '{info.Name}' has no matching lora_B tensor");
            var (outputs, inputs) = LoraProjections.Shape(projection, c);
            var a = Read(file, info, config.Rank, inputs, weightsPath);
            var b = Read(file, bInfo, outputs, config.Rank, weightsPath);
            weights[layer * LoraProjections.Count + (int)projection] =
                Weights(a, TransposeB(b, outputs, config.Rank, projection, c, RopeLayout.HalfSplit), config.Rank, inputs, outputs, scale, $"{weightsPath}: {info.Name}");
        }
        foreach (var (layer, projection, _) in found.Keys)
            if (weights[layer * LoraProjections.Count + (int)projection] == null)
                throw new ModelFormatException($"{weightsPath}: layer {layer}'s {LoraProjections.PeftName(projection)} has a lora_B tensor but no lora_A");
        return new LoraAdapter(name, config.Rank, config.Alpha, config.UseRsLora, c.LayerCount, weights);
    }

    static unsafe float[] Read(SafetensorsFile file, SafetensorsTensorInfo info, int rows, int columns, string path)
    {
        if (info.Shape.Length != 2 || info.Shape[0] != rows || info.Shape[1] != columns)
            throw new ModelFormatException($"{path}: tensor '{info.Name}' has shape [{string.Join(", ", info.Shape)}], but the base model and rank need [{rows}, {columns}]");
        if (info.DType is not ("F32" or "F16" or "BF16"))
            throw new ModelFormatException($"{path}: tensor '{info.Name}' has dtype {info.DType}; adapters must be F32, F16 or BF16");
        var values = new float[rows * columns];
        Dequantize.Row(info.Type, file.TensorData(info), values);
        return values;
    }

    public static LoraAdapter LoadGguf(string path, string name, TransformerConfig c)
    {
        using var file = GgufFile.Open(path);
        if (file.GetString("general.type") != "adapter" || file.GetString("adapter.type") != "lora")
            throw new ModelFormatException($"{path}: not a GGUF LoRA adapter (general.type must be 'adapter' and adapter.type 'lora')");
        var arch = file.GetString("general.architecture") ?? throw new ModelFormatException($"{path}: no general.architecture");
        if (arch != c.Architecture) throw new ModelFormatException($"{path}: the adapter is for architecture '{arch}', the base model is '{c.Architecture}'");
        // llama.cpp's converter permutes Llama and Mistral query/key rows as it does for the base model; Qwen2 keeps them.
        var sourceLayout = arch is "llama" or "mistral" ? RopeLayout.AdjacentPairs : RopeLayout.HalfSplit;

        var found = new Dictionary<(int Layer, LoraProjection Projection), (GgufTensorInfo? A, GgufTensorInfo? B)>();
        foreach (var info in file.Tensors)
        {
            var (layer, projection, part) = ParseGgufName(info.Name, path);
            if (layer >= c.LayerCount) throw new ModelFormatException($"{path}: tensor '{info.Name}' is for layer {layer}, but the base model has {c.LayerCount} layers");
            found.TryGetValue((layer, projection), out var pair);
            found[(layer, projection)] = part == 'a' ? pair with { A = info } : pair with { B = info };
        }
        if (found.Count == 0) throw new ModelFormatException($"{path}: no LoRA tensors");
        var ranks = found.Values.Where(p => p.A != null).Select(p => p.A!.Shape is [_, var r] ? r : 0).Distinct().ToList();
        if (ranks.Count != 1 || ranks[0] is < 1 or > 4096) throw new ModelFormatException($"{path}: the lora_a tensors must share one rank (found {string.Join(", ", ranks)})");
        var rank = (int)ranks[0];
        var storedAlpha = (float)(file.GetFloat("adapter.lora.alpha") ?? 0);
        if (!float.IsFinite(storedAlpha)) throw new ModelFormatException($"{path}: adapter.lora.alpha is not a finite float");
        // As llama.cpp does: no alpha means the update is applied unscaled.
        var alpha = storedAlpha > 0 ? storedAlpha : rank;
        var scale = LoraAdapter.ScaleFor(rank, alpha, useRsLora: false);

        var weights = new LoraWeights?[c.LayerCount * LoraProjections.Count];
        foreach (var ((layer, projection), (aInfo, bInfo)) in found)
        {
            var label = $"blk.{layer}.{LoraProjections.GgufName(projection)}";
            if (aInfo == null || bInfo == null) throw new ModelFormatException($"{path}: {label} needs both lora_a and lora_b tensors");
            var (outputs, inputs) = LoraProjections.Shape(projection, c);
            var a = ReadGguf(file, aInfo, rank, inputs, path);
            var b = ReadGguf(file, bInfo, outputs, rank, path);
            weights[layer * LoraProjections.Count + (int)projection] =
                Weights(a, TransposeB(b, outputs, rank, projection, c, sourceLayout), rank, inputs, outputs, scale, $"{path}: {label}");
        }
        return new LoraAdapter(name, rank, alpha, useRsLora: false, c.LayerCount, weights);
    }

    static (int Layer, LoraProjection Projection, char Part) ParseGgufName(string name, string path)
    {
        var parts = name.Split('.');
        if (parts is ["blk", var layerText, var module, "weight", "lora_a" or "lora_b"] && int.TryParse(layerText, out var layer) && layer >= 0
            && LoraProjections.All.FirstOrDefault(p => LoraProjections.GgufName(p) == module, (LoraProjection)(-1)) is var projection && (int)projection >= 0)
            return (layer, projection, parts[4][^1]);
        throw new ModelFormatException($"{path}: tensor '{name}' is not a LoRA update of a Llama projection (blk.N.attn_q.weight.lora_a …)");
    }

    /// <summary>GGML writes a (rows, columns) matrix as [columns, rows]: lora_a is [inputs, rank], lora_b [rank, outputs].</summary>
    static unsafe float[] ReadGguf(GgufFile file, GgufTensorInfo info, int rows, int columns, string path)
    {
        if (info.Shape.Length != 2 || info.Shape[0] != columns || info.Shape[1] != rows)
            throw new ModelFormatException($"{path}: tensor '{info.Name}' has shape [{string.Join(", ", info.Shape)}], but the base model and rank need [{columns}, {rows}]");
        if (!TensorTypeInfo.IsSupported(info.Type)) throw new ModelFormatException($"{path}: tensor '{info.Name}' has unsupported type {TensorTypeInfo.Name(info.Type)}");
        var values = new float[rows * columns];
        var rowBytes = TensorTypeInfo.RowBytes(info.Type, columns);
        var data = file.TensorData(info);
        for (var r = 0; r < rows; r++) Dequantize.Row(info.Type, data + r * rowBytes, values.AsSpan(r * columns, columns));
        return values;
    }

    static LoraWeights Weights(float[] a, float[] bTransposed, int rank, int inputs, int outputs, float scale, string what)
    {
        try { return new LoraWeights(a, bTransposed, rank, inputs, outputs, scale); }
        catch (ArgumentException) { throw new ModelFormatException($"{what}: a value is infinite, NaN or beyond ±{LoraWeights.MaxValue} (adapters are kept as F16)"); }
    }

    /// <summary>
    /// Bᵀ (rank, outputs) from B (outputs, rank), with the query and key rows reordered when the adapter's row order
    /// (<paramref name="source"/>) differs from the base model's: llama.cpp's converter stores each head's two rotary
    /// halves interleaved (row 2i+j of a head is Hugging Face's row j·headDim/2 + i).
    /// </summary>
    static float[] TransposeB(float[] b, int outputs, int rank, LoraProjection projection, TransformerConfig c, RopeLayout source)
    {
        var permute = projection is LoraProjection.Query or LoraProjection.Key && source != c.RopeLayout;
        var bt = new float[rank * outputs];
        for (var o = 0; o < outputs; o++)
        {
            var from = !permute ? o
                : c.RopeLayout == RopeLayout.AdjacentPairs ? HalfSplitRow(o, c.HeadDim)
                : AdjacentRow(o, c.HeadDim);
            for (var r = 0; r < rank; r++) bt[r * outputs + o] = b[from * rank + r];
        }
        return bt;
    }

    /// <summary>The Hugging Face row of an interleaved (GGUF) row.</summary>
    public static int HalfSplitRow(int adjacentRow, int headDim)
    {
        int head = adjacentRow / headDim, within = adjacentRow % headDim;
        return head * headDim + within % 2 * (headDim / 2) + within / 2;
    }

    /// <summary>The interleaved (GGUF) row of a Hugging Face row.</summary>
    public static int AdjacentRow(int halfSplitRow, int headDim)
    {
        int head = halfSplitRow / headDim, within = halfSplitRow % headDim, half = headDim / 2;
        return head * headDim + within % half * 2 + within / half;
    }
}
