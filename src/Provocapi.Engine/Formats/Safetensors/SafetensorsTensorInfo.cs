using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Formats.Safetensors;

/// <summary>One tensor of a safetensors file. <see cref="Shape"/> is row-major, outermost first, as PyTorch writes it.</summary>
public sealed record SafetensorsTensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
{
    public TensorType Type => DType switch
    {
        "F32" => TensorType.F32,
        "F16" => TensorType.F16,
        "BF16" => TensorType.BF16,
        _ => throw new ModelFormatException($"tensor '{Name}' has dtype {DType}; F32, F16 and BF16 are supported"),
    };
}
