using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Tests.Ops;

public unsafe class DequantizeTests
{
    public static TheoryData<TensorType, bool> Cases()
    {
        var data = new TheoryData<TensorType, bool>();
        foreach (var type in RandomWeights.AllTypes)
        {
            data.Add(type, false);
            data.Add(type, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fast_equals_reference_exactly(TensorType type, bool randomBits)
    {
        // Three blocks for the block types; 37 elements for the float types so the vector loop has a scalar tail.
        var columns = TensorTypeInfo.BlockElements(type) == 1 ? 37 : 3 * TensorTypeInfo.BlockElements(type);
        using var matrix = randomBits ? RandomWeights.RandomBits(type, 5, columns, 11) : RandomWeights.Quantized(type, 5, columns, 11);
        var fast = new float[columns];
        var reference = new float[columns];
        for (var r = 0; r < 5; r++)
        {
            Dequantize.Row(type, matrix.Weights.Row(r), fast);
            Dequantize.RowReference(type, matrix.Weights.Row(r), reference);
            for (var i = 0; i < columns; i++)
                Assert.True(fast[i] == reference[i], $"{type} row {r} element {i}: fast {fast[i]} vs reference {reference[i]}");
        }
    }

    [Fact]
    public void Half_conversion_matches_the_runtime_for_every_bit_pattern()
    {
        var bits = new ushort[65536];
        for (var i = 0; i < bits.Length; i++) bits[i] = (ushort)i;
        var fast = new float[bits.Length];
        fixed (ushort* p = bits)
            Dequantize.Row(TensorType.F16, (byte*)p, fast);
        for (var i = 0; i < bits.Length; i++)
        {
            var expected = (float)BitConverter.UInt16BitsToHalf((ushort)i);
            Assert.True(BitConverter.SingleToUInt32Bits(Float16.ToSingle((ushort)i)) == BitConverter.SingleToUInt32Bits(expected) || (float.IsNaN(expected) && float.IsNaN(Float16.ToSingle((ushort)i))), $"scalar 0x{i:X4}");
            Assert.True(BitConverter.SingleToUInt32Bits(fast[i]) == BitConverter.SingleToUInt32Bits(expected) || (float.IsNaN(expected) && float.IsNaN(fast[i])), $"vector 0x{i:X4}: {fast[i]} vs {expected}");
        }
    }

    [Fact]
    public void Rejects_a_partial_block()
    {
        var bytes = new byte[34];
        fixed (byte* p = bytes)
        {
            var src = p;
            Assert.Throws<ArgumentException>(() => Dequantize.Row(TensorType.Q8_0, src, new float[31]));
        }
    }
}
