using Provocapi.Engine.Formats;
using Provocapi.Engine.Formats.Gguf;
using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Models.Loading;

/// <summary>Tensors of a GGUF file. GGML writes shapes innermost first, so a (rows, columns) matrix is [columns, rows].</summary>
public sealed unsafe class GgufTensorSource(GgufFile file) : ITensorSource
{
    public string Path => file.Path;

    public bool Has(string name) => file.TryGetTensor(name, out _);

    public WeightMatrix Matrix(string name, int rows, int columns)
    {
        var info = file.Tensor(name);
        if (info.Shape.Length != 2 || info.Shape[0] != columns || info.Shape[1] != rows)
            throw new ModelFormatException($"{Path}: tensor '{name}' has shape [{string.Join(", ", info.Shape)}], expected [{columns}, {rows}]");
        RequireSupported(info);
        return new WeightMatrix(name, info.Type, rows, columns, file.TensorData(info));
    }

    public float[] Vector(string name, int length)
    {
        var info = file.Tensor(name);
        if (info.ElementCount != length)
            throw new ModelFormatException($"{Path}: tensor '{name}' has {info.ElementCount} elements, expected {length}");
        RequireSupported(info);
        var values = new float[length];
        Dequantize.Row(info.Type, file.TensorData(info), values);
        return values;
    }

    void RequireSupported(GgufTensorInfo info)
    {
        if (!Enum.IsDefined(info.Type) || !TensorTypeInfo.IsSupported(info.Type))
            throw new ModelFormatException($"{Path}: tensor '{info.Name}' has type {TensorTypeInfo.Name(info.Type)}, which is not supported");
    }

    public void Release(WeightMatrix matrix) => file.ReleasePages(matrix.Data, matrix.ByteSize);

    public void Dispose() => file.Dispose();
}
