using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Formats.Gguf;

/// <summary>One tensor's entry in a GGUF file. <see cref="Shape"/> is GGML's order: innermost (row length) first.</summary>
public sealed record GgufTensorInfo(string Name, long[] Shape, TensorType Type, long Offset, long ByteSize)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
