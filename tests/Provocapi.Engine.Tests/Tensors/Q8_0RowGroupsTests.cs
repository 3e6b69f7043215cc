using Provocapi.Engine.Formats.Gguf;
using Provocapi.Engine.Models;
using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;
using Provocapi.Engine.Tests.Ops;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Tensors;

public sealed unsafe class Q8_0RowGroupsTests
{
    [Theory]
    [InlineData(8, 32)]
    [InlineData(24, 96)]
    [InlineData(40, 576)]
    public void Every_row_comes_back_byte_for_byte(int rows, int columns)
    {
        using var matrix = RandomWeights.RandomBits(TensorType.Q8_0, rows, columns, rows + columns);
        var w = matrix.Weights;
        var original = matrix.Buffer.Span.ToArray();
        using var copy = new NativeBuffer(w.ByteSize);
        var grouped = w.Regroup(copy.Pointer);
        Assert.True(grouped.Grouped);
        Assert.Equal(original, matrix.Buffer.Span.ToArray());
        var row = new byte[w.RowBytes];
        for (var r = 0; r < rows; r++)
        {
            Q8_0RowGroups.CopyRow(grouped.Data, r, columns, row);
            Assert.Equal(original.AsSpan((int)(r * w.RowBytes), (int)w.RowBytes).ToArray(), row);
        }
        var inPlace = w.Regroup(w.Data);
        Assert.Equal(copy.Span.ToArray(), matrix.Buffer.Span.ToArray());
        Assert.Throws<InvalidOperationException>(() => inPlace.Row(0));
    }

    [Fact]
    public void A_group_block_holds_four_values_of_each_row_per_word()
    {
        using var matrix = RandomWeights.RandomBits(TensorType.Q8_0, 8, 32, 5);
        var rows = matrix.Buffer.Span.ToArray();
        using var copy = new NativeBuffer(matrix.Weights.ByteSize);
        matrix.Weights.Regroup(copy.Pointer);
        var grouped = copy.Span;
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(rows[i * 34], grouped[2 * i]);
            for (var v = 0; v < 32; v++)
                Assert.Equal(rows[i * 34 + 2 + v], grouped[16 + 32 * (v / 4) + 4 * i + v % 4]);
        }
    }

    [Theory]
    [InlineData(TensorType.Q8_0, 12)]
    [InlineData(TensorType.Q4_0, 16)]
    public void Only_Q8_0_in_whole_groups_can_be_regrouped(TensorType type, int rows)
    {
        using var matrix = RandomWeights.Quantized(type, rows, 64, 1);
        Assert.False(matrix.Weights.CanRegroup);
        Assert.Throws<InvalidOperationException>(() => matrix.Weights.Regroup(matrix.Buffer.Pointer));
    }

    [Fact]
    public void A_Q8_0_checkpoint_loads_regrouped_and_its_embedding_rows_read_back_unchanged()
    {
        var path = TestData.Path("models", "llama-spm-d64", "llama-spm-d64-q8_0.gguf");
        using var model = LanguageModel.Load(path);
        var weights = model.Network.Weights;
        Assert.All(weights.Layers, l => Assert.True(l.Query.Grouped && l.Key.Grouped && l.Value.Grouped && l.Output.Grouped && l.Gate.Grouped && l.Up.Grouped && l.Down.Grouped));
        Assert.True(weights.TokenEmbedding.Grouped);
        using var file = GgufFile.Open(path);
        var rows = WeightMatrix.FromGguf(file, file.Tensor("token_embd.weight"));
        float[] expected = new float[rows.Columns], actual = new float[rows.Columns];
        foreach (var token in new[] { 0, 7, rows.Rows - 1 })
        {
            Dequantize.Row(rows, token, expected);
            Dequantize.Row(weights.TokenEmbedding, token, actual);
            Assert.Equal(expected, actual);
        }
    }
}
