using Provocapi.Engine.Formats.Gguf;
using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Ops;

/// <summary>Real tensors written by llama.cpp: a quantized file's matrices against the F32 file of the same model.</summary>
public unsafe class GgufTensorTests
{
    public static TheoryData<string, double> Files() => new()
    {
        { "llama-spm-d64-q8_0.gguf", 0.01 },
        { "llama-spm-d64-q4_0.gguf", 0.15 },
        { "llama-spm-d64-f16.gguf", 0.001 },
        { "llama-bpe-d64-q8_0.gguf", 0.01 },
    };

    static string ModelPath(string file) => TestData.Path("models", file[..file.LastIndexOf('-')], file);

    [Theory]
    [MemberData(nameof(Files))]
    public void Dequantized_matrices_match_the_f32_file(string file, double relativeRms)
    {
        using var quantized = GgufFile.Open(ModelPath(file));
        using var f32 = GgufFile.Open(ModelPath(file[..file.LastIndexOf('-')] + "-f32.gguf"));
        var compared = 0;
        foreach (var info in quantized.Tensors)
        {
            if (info.Shape.Length != 2 || info.Type == TensorType.F32) continue;
            var w = WeightMatrix.FromGguf(quantized, info);
            var exact = WeightMatrix.FromGguf(f32, f32.Tensor(info.Name));
            Assert.Equal((exact.Rows, exact.Columns), (w.Rows, w.Columns));
            var row = new float[w.Columns];
            var reference = new float[w.Columns];
            double errors = 0, squares = 0;
            for (var r = 0; r < w.Rows; r++)
            {
                Dequantize.Row(w.Type, w.Row(r), row);
                Dequantize.RowReference(w.Type, w.Row(r), reference);
                Assert.Equal(reference, row);
                var expected = new ReadOnlySpan<float>(exact.Row(r), w.Columns);
                for (var c = 0; c < w.Columns; c++)
                {
                    errors += Math.Pow(row[c] - expected[c], 2);
                    squares += Math.Pow(expected[c], 2);
                }
            }
            Assert.True(Math.Sqrt(errors / squares) < relativeRms, $"{file} {info.Name} ({info.Type}): relative RMS error {Math.Sqrt(errors / squares):G3}");
            compared++;
        }
        Assert.True(compared >= 4, $"{file}: only {compared} quantized matrices");
    }

    /// <summary>Our Q8_0 and Q4_0 quantizers are ggml's reference ones: quantizing the F32 file's matrices reproduces
    /// llama.cpp's bytes.</summary>
    [Theory]
    [InlineData("llama-spm-d64-q8_0.gguf", TensorType.Q8_0)]
    [InlineData("llama-spm-d64-q4_0.gguf", TensorType.Q4_0)]
    public void Quantizer_reproduces_llama_cpp(string file, TensorType type)
    {
        using var quantized = GgufFile.Open(ModelPath(file));
        using var f32 = GgufFile.Open(ModelPath(file[..file.LastIndexOf('-')] + "-f32.gguf"));
        var compared = 0;
        foreach (var info in quantized.Tensors.Where(t => t.Type == type && t.Shape.Length == 2))
        {
            var w = WeightMatrix.FromGguf(quantized, info);
            var exact = WeightMatrix.FromGguf(f32, f32.Tensor(info.Name));
            var bytes = new byte[w.RowBytes];
            for (var r = 0; r < w.Rows; r++)
            {
                Quantize.Row(type, new ReadOnlySpan<float>(exact.Row(r), w.Columns), bytes);
                Assert.True(new ReadOnlySpan<byte>(w.Row(r), (int)w.RowBytes).SequenceEqual(bytes), $"{info.Name} row {r}");
            }
            compared++;
        }
        Assert.True(compared > 0);
    }
}
