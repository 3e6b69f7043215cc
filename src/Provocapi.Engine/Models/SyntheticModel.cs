using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Models;

/// <summary>
/// Random weights of a named real-model shape, quantized in memory, so speed can be measured without a
/// download (llama-bench's practice of timing random-weight models of real shapes).
/// </summary>
public static unsafe class SyntheticModel
{
    /// <summary>tiny: llama2.c's stories15M; small: SmolLM-135M-like (Llama 2 vocabulary); 1b: TinyLlama-1.1B.</summary>
    public static TransformerConfig Shape(string name) => name switch
    {
        "tiny" => Config(288, 6, 6, 6, 768, 32000, 2048),
        "small" => Config(576, 30, 9, 3, 1536, 32000, 2048),
        "1b" => Config(2048, 22, 32, 4, 5632, 32000, 2048),
        _ => throw new ArgumentException($"unknown synthetic shape '{name}' (tiny, small, 1b)"),
    };

    public static IReadOnlyList<string> ShapeNames { get; } = ["tiny", "small", "1b"];

    static TransformerConfig Config(int dim, int layers, int heads, int kvHeads, int ffn, int vocab, int context) => new()
    {
        Architecture = "llama",
        EmbeddingDim = dim,
        LayerCount = layers,
        HeadCount = heads,
        KvHeadCount = kvHeads,
        HeadDim = dim / heads,
        FeedForwardDim = ffn,
        VocabSize = vocab,
        ContextLength = context,
        RmsNormEps = 1e-5f,
        RopeTheta = 10000,
        RopeDims = dim / heads,
        RopeLayout = RopeLayout.AdjacentPairs,
    };

    /// <summary>Builds the network with every matrix in <paramref name="type"/> (norms stay float), weights ~ N(0, 1/√in).</summary>
    public static Llama Create(TransformerConfig c, TensorType type, int seed = 1)
    {
        var memory = new NativeBuffers();
        var random = new Random(seed);
        try
        {
            WeightMatrix Matrix(string name, int rows, int columns)
            {
                var rowBytes = TensorTypeInfo.RowBytes(type, columns);
                var data = memory.Allocate(rowBytes * rows);
                var row = new float[columns];
                var scale = 1 / MathF.Sqrt(columns);
                for (var r = 0; r < rows; r++)
                {
                    for (var i = 0; i < columns; i++) row[i] = (random.NextSingle() * 2 - 1) * scale * 1.7f;
                    Quantize.Row(type, row, new Span<byte>(data + r * rowBytes, (int)rowBytes));
                }
                return new WeightMatrix(name, type, rows, columns, data);
            }
            // As a loaded checkpoint's are (see LlamaWeightLoader), in place: the rows are not needed afterwards.
            WeightMatrix Projection(string name, int rows, int columns)
            {
                var matrix = Matrix(name, rows, columns);
                return MatMul.ReadsGrouped(matrix) ? matrix.Regroup(matrix.Data) : matrix;
            }
            float[] Norm() => Enumerable.Range(0, c.EmbeddingDim).Select(_ => 0.8f + 0.4f * random.NextSingle()).ToArray();

            var layers = new LlamaLayerWeights[c.LayerCount];
            for (var l = 0; l < c.LayerCount; l++)
                layers[l] = new LlamaLayerWeights(Norm(),
                    Projection($"blk.{l}.attn_q", c.QueryDim, c.EmbeddingDim), Projection($"blk.{l}.attn_k", c.KvDim, c.EmbeddingDim),
                    Projection($"blk.{l}.attn_v", c.KvDim, c.EmbeddingDim), Projection($"blk.{l}.attn_output", c.EmbeddingDim, c.QueryDim),
                    null, null, null, Norm(),
                    Projection($"blk.{l}.ffn_gate", c.FeedForwardDim, c.EmbeddingDim), Projection($"blk.{l}.ffn_up", c.FeedForwardDim, c.EmbeddingDim),
                    Projection($"blk.{l}.ffn_down", c.EmbeddingDim, c.FeedForwardDim));
            var weights = new LlamaWeights(Projection("token_embd", c.VocabSize, c.EmbeddingDim), layers, Norm(),
                Projection("output", c.VocabSize, c.EmbeddingDim), memory);
            return new Llama(c, weights);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }
}
