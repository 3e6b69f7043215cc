namespace Provocapi.Engine.Tensors;

/// <summary>Block layout of each supported tensor type: how many elements a block holds and its size in bytes.</summary>
public static class TensorTypeInfo
{
    /// <summary>Elements per block (1 for plain floats).</summary>
    public static int BlockElements(TensorType type) => type switch
    {
        TensorType.F32 or TensorType.F16 or TensorType.BF16 => 1,
        TensorType.Q4_0 or TensorType.Q4_1 or TensorType.Q5_0 or TensorType.Q5_1 or TensorType.Q8_0 or TensorType.Q8_1 => 32,
        TensorType.Q2_K or TensorType.Q3_K or TensorType.Q4_K or TensorType.Q5_K or TensorType.Q6_K or TensorType.Q8_K => 256,
        _ => throw new NotSupportedException($"tensor type {Name(type)} is not supported"),
    };

    /// <summary>Bytes per block, as ggml lays the block structs out.</summary>
    public static int BlockBytes(TensorType type) => type switch
    {
        TensorType.F32 => 4,
        TensorType.F16 or TensorType.BF16 => 2,
        TensorType.Q4_0 => 2 + 16,
        TensorType.Q4_1 => 4 + 16,
        TensorType.Q5_0 => 2 + 4 + 16,
        TensorType.Q5_1 => 4 + 4 + 16,
        TensorType.Q8_0 => 2 + 32,
        TensorType.Q8_1 => 4 + 32,
        TensorType.Q2_K => 256 / 16 + 256 / 4 + 2 + 2,
        TensorType.Q3_K => 256 / 8 + 256 / 4 + 12 + 2,
        TensorType.Q4_K => 2 + 2 + 12 + 256 / 2,
        TensorType.Q5_K => 2 + 2 + 12 + 256 / 8 + 256 / 2,
        TensorType.Q6_K => 256 / 2 + 256 / 4 + 256 / 16 + 2,
        TensorType.Q8_K => 4 + 256 + 256 / 16 * 2,
        _ => throw new NotSupportedException($"tensor type {Name(type)} is not supported"),
    };

    /// <summary>Types whose weights this engine can compute with.</summary>
    public static bool IsSupported(TensorType type) => type is TensorType.F32 or TensorType.F16 or TensorType.BF16
        or TensorType.Q8_0 or TensorType.Q4_0 or TensorType.Q4_1 or TensorType.Q5_0 or TensorType.Q5_1
        or TensorType.Q4_K or TensorType.Q5_K or TensorType.Q6_K;

    /// <summary>Bytes taken by a row of <paramref name="elements"/> elements; the count must be whole blocks.</summary>
    public static long RowBytes(TensorType type, long elements)
    {
        var block = BlockElements(type);
        if (elements % block != 0)
            throw new InvalidDataException($"a {Name(type)} row of {elements} elements is not a whole number of {block}-element blocks");
        return elements / block * BlockBytes(type);
    }

    /// <summary>A supported type by name (<c>Q8_0</c>, <c>f16</c>), or null.</summary>
    public static TensorType? ParseSupported(string name) =>
        Enum.TryParse<TensorType>(name, ignoreCase: true, out var type) && Enum.IsDefined(type) && IsSupported(type) ? type : null;

    public static string Name(TensorType type) => Enum.IsDefined(type) ? type.ToString() : $"type #{(int)type}";
}
