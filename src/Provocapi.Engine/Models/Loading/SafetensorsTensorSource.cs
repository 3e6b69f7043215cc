using Provocapi.Engine.Formats;
using Provocapi.Engine.Formats.Safetensors;
using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Models.Loading;

/// <summary>Tensors of a Hugging Face checkpoint; PyTorch writes a (out, in) matrix as shape [out, in].</summary>
public sealed unsafe class SafetensorsTensorSource(SafetensorsCheckpoint checkpoint, string folder) : ITensorSource
{
    public string Path => folder;

    public bool Has(string name) => checkpoint.Has(name);

    public WeightMatrix Matrix(string name, int rows, int columns)
    {
        var (file, info) = checkpoint.Tensor(name);
        if (info.Shape.Length != 2 || info.Shape[0] != rows || info.Shape[1] != columns)
            throw new ModelFormatException($"{file.Path}: tensor '{name}' has shape [{string.Join(", ", info.Shape)}], expected [{rows}, {columns}]");
        return new WeightMatrix(name, info.Type, rows, columns, file.TensorData(info));
    }

    public float[] Vector(string name, int length)
    {
        var (file, info) = checkpoint.Tensor(name);
        var count = info.Shape.Aggregate(1L, (a, b) => a * b);
        if (count != length)
            throw new ModelFormatException($"{file.Path}: tensor '{name}' has {count} elements, expected {length}");
        var values = new float[length];
        Dequantize.Row(info.Type, file.TensorData(info), values);
        return values;
    }

    /// <summary>Nothing to do: safetensors hold float types, which are read in place and never copied.</summary>
    public void Release(WeightMatrix matrix) { }

    public void Dispose() => checkpoint.Dispose();
}
