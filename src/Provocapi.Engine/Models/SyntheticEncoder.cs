using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Models;

/// <summary>Random F32 weights of a BERT-family shape, so an embedding model's speed can be measured without a download.</summary>
public static unsafe class SyntheticEncoder
{
    /// <summary>bge-small-en-v1.5's shape: d 384, 12 layers, 12 heads, ffn 1536, BERT's 30522-token vocabulary, 512 positions.</summary>
    public static EncoderConfig BgeSmall { get; } = new()
    {
        Architecture = "bert",
        EmbeddingDim = 384,
        LayerCount = 12,
        HeadCount = 12,
        FeedForwardDim = 1536,
        VocabSize = 30522,
        PositionCount = 512,
        TokenTypeCount = 2,
        LayerNormEps = 1e-12f,
    };

    /// <summary>Matrices ~ U(−√3, √3)/√in (unit variance per output), LayerNorms near identity.</summary>
    public static Bert Create(EncoderConfig c, int seed = 1)
    {
        var owner = new Buffers();
        var random = new Random(seed);
        try
        {
            int d = c.EmbeddingDim, ffn = c.FeedForwardDim;
            WeightMatrix Matrix(string name, int rows, int columns)
            {
                var buffer = owner.Add(new NativeBuffer((long)rows * columns * sizeof(float)));
                var values = new Span<float>(buffer.Pointer, rows * columns);
                var scale = 1.7f / MathF.Sqrt(columns);
                for (var i = 0; i < values.Length; i++) values[i] = (random.NextSingle() * 2 - 1) * scale;
                return new WeightMatrix(name, TensorType.F32, rows, columns, buffer.Pointer);
            }
            float[] Vector(int length, float center, float spread) => Enumerable.Range(0, length).Select(_ => center + spread * (random.NextSingle() * 2 - 1)).ToArray();
            LayerNormWeights Norm() => new(Vector(d, 1, 0.2f), Vector(d, 0, 0.1f));

            var layers = new BertLayerWeights[c.LayerCount];
            for (var l = 0; l < c.LayerCount; l++)
                layers[l] = new BertLayerWeights(
                    Matrix($"blk.{l}.attn_q", d, d), Vector(d, 0, 0.1f), Matrix($"blk.{l}.attn_k", d, d), Vector(d, 0, 0.1f),
                    Matrix($"blk.{l}.attn_v", d, d), Vector(d, 0, 0.1f), Matrix($"blk.{l}.attn_output", d, d), Vector(d, 0, 0.1f), Norm(),
                    Matrix($"blk.{l}.ffn_up", ffn, d), Vector(ffn, 0, 0.1f), Matrix($"blk.{l}.ffn_down", d, ffn), Vector(d, 0, 0.1f), Norm());
            var weights = new BertWeights(Matrix("token_embd", c.VocabSize, d), Matrix("position_embd", c.PositionCount, d), Vector(d, 0, 0.1f),
                Norm(), layers, owner);
            return new Bert(c, weights);
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }

    /// <summary>The weights' buffers, freed together.</summary>
    sealed class Buffers : IDisposable
    {
        readonly List<NativeBuffer> _buffers = [];

        public NativeBuffer Add(NativeBuffer buffer)
        {
            _buffers.Add(buffer);
            return buffer;
        }

        public void Dispose()
        {
            foreach (var buffer in _buffers) buffer.Dispose();
            _buffers.Clear();
        }
    }
}
