using System.Buffers;
using System.Numerics.Tensors;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.Ops;

namespace Provocapi.Engine.Models;

/// <summary>
/// The BERT-family encoder (BERT, XLM-RoBERTa), read top to bottom: embed (word + position + token type) → LayerNorm →
/// per layer (q/k/v, bidirectional attention within each sequence, output projection, residual, LayerNorm, GELU
/// feed-forward, residual, LayerNorm) → pool (CLS, mean or last) → optional L2 normalization.
/// Several sequences run as one batch: their tokens are packed row after row, so every matrix multiply covers the whole
/// batch and no compute is spent on padding, while attention sees only its own sequence's rows (a block-diagonal
/// attention mask). Immutable and shareable; per-call state lives in <see cref="EncoderScratch"/>.
/// </summary>
public sealed class Bert(EncoderConfig config, BertWeights weights) : IDisposable
{
    public EncoderConfig Config { get; } = config;
    public BertWeights Weights { get; } = weights;

    /// <summary>Encodes every sequence and writes its pooled (and, as the config says, normalized) vector into row i of
    /// <paramref name="output"/>, (sequences, dim).</summary>
    public void Encode(IReadOnlyList<ReadOnlyMemory<int>> sequences, Span<float> output, EncoderScratch s, CpuWorkers workers)
    {
        var c = Config;
        int d = c.EmbeddingDim, count = sequences.Count;
        if (output.Length != count * d) throw new ArgumentException($"output holds {output.Length} values, not {count} × {d}", nameof(output));
        if (count == 0) return;
        var starts = new int[count + 1];
        for (var i = 0; i < count; i++)
        {
            var length = sequences[i].Length;
            if (length == 0) throw new ArgumentException($"sequence {i} is empty", nameof(sequences));
            if (length > c.ContextLength) throw new ArgumentException($"sequence {i} has {length} tokens, more than the context of {c.ContextLength}", nameof(sequences));
            starts[i + 1] = starts[i] + length;
        }
        var n = starts[count];
        s.Ensure(c, n);

        var x = s.X.AsSpan(0, n * d);                                       // (n, dim) residual stream
        Embed(sequences, starts, x);
        LayerNorm.Rows(x, Weights.EmbeddingNorm.Weight, Weights.EmbeddingNorm.Bias, c.LayerNormEps, x);

        var q = s.Query.AsSpan(0, n * d);                                   // (n, dim), head h in columns [h·headDim, (h+1)·headDim)
        var k = s.Key.AsSpan(0, n * d);
        var v = s.Value.AsSpan(0, n * d);
        var att = s.Attention.AsSpan(0, n * d);
        var projected = s.Projected.AsSpan(0, n * d);
        var hidden = s.Hidden.AsSpan(0, n * c.FeedForwardDim);              // (n, ffn)
        foreach (var w in Weights.Layers)
        {
            // attention block
            MatMul.Compute(w.Query, x, q, n, workers);
            MatMul.Compute(w.Key, x, k, n, workers);
            MatMul.Compute(w.Value, x, v, n, workers);
            AddBias(q, w.QueryBias);
            AddBias(k, w.KeyBias);
            AddBias(v, w.ValueBias);
            Attend(starts, s, workers);
            MatMul.Compute(w.Output, att, projected, n, workers);
            AddBias(projected, w.OutputBias);
            TensorPrimitives.Add(x, projected, x);
            LayerNorm.Rows(x, w.AttentionNorm.Weight, w.AttentionNorm.Bias, c.LayerNormEps, x);

            // feed-forward block
            MatMul.Compute(w.Up, x, hidden, n, workers);
            AddBias(hidden, w.UpBias);
            Gelu.Apply(hidden, hidden);
            MatMul.Compute(w.Down, hidden, projected, n, workers);
            AddBias(projected, w.DownBias);
            TensorPrimitives.Add(x, projected, x);
            LayerNorm.Rows(x, w.OutputNorm.Weight, w.OutputNorm.Bias, c.LayerNormEps, x);
        }

        for (var i = 0; i < count; i++) Pool(x, starts[i], starts[i + 1], output.Slice(i * d, d));
    }

    void Embed(IReadOnlyList<ReadOnlyMemory<int>> sequences, int[] starts, Span<float> x)
    {
        var c = Config;
        var d = c.EmbeddingDim;
        Span<float> position = stackalloc float[d];
        for (var i = 0; i < sequences.Count; i++)
        {
            var tokens = sequences[i].Span;
            for (var p = 0; p < tokens.Length; p++)
            {
                if ((uint)tokens[p] >= (uint)c.VocabSize)
                    throw new ArgumentOutOfRangeException(nameof(sequences), $"token id {tokens[p]} is outside the vocabulary (0..{c.VocabSize - 1})");
                var row = x.Slice((starts[i] + p) * d, d);
                unsafe
                {
                    Dequantize.Row(Weights.TokenEmbedding.Type, Weights.TokenEmbedding.Row(tokens[p]), row);
                    Dequantize.Row(Weights.PositionEmbedding.Type, Weights.PositionEmbedding.Row(c.PositionOffset + p), position);
                }
                TensorPrimitives.Add(row, position, row);
                TensorPrimitives.Add(row, Weights.TokenTypeEmbedding, row);
            }
        }
    }

    /// <summary>Every (sequence, head) pair is independent: each head of a sequence attends over that sequence's rows only.</summary>
    void Attend(int[] starts, EncoderScratch s, CpuWorkers workers)
    {
        var c = Config;
        int d = c.EmbeddingDim, heads = c.HeadCount, headDim = c.HeadDim;
        workers.For((starts.Length - 1) * heads, item =>
        {
            int sequence = item / heads, head = item % heads;
            int start = starts[sequence], length = starts[sequence + 1] - start;
            var scores = ArrayPool<float>.Shared.Rent(length);
            var rows = new Range(start * d, (start + length) * d);
            SelfAttention.Head(s.Query.AsSpan(rows), s.Key.AsSpan(rows), s.Value.AsSpan(rows), length, d, head, headDim, s.Attention.AsSpan(rows), scores);
            ArrayPool<float>.Shared.Return(scores);
        });
    }

    void Pool(ReadOnlySpan<float> x, int start, int end, Span<float> pooled)
    {
        var d = Config.EmbeddingDim;
        switch (Config.Pooling)
        {
            case EmbeddingPooling.Cls:
                x.Slice(start * d, d).CopyTo(pooled);
                break;
            case EmbeddingPooling.Last:
                x.Slice((end - 1) * d, d).CopyTo(pooled);
                break;
            case EmbeddingPooling.Mean:
                pooled.Clear();
                for (var t = start; t < end; t++) TensorPrimitives.Add(pooled, x.Slice(t * d, d), pooled);
                TensorPrimitives.Multiply(pooled, 1f / (end - start), pooled);
                break;
        }
        if (Config.Normalize) L2Normalize(pooled);
    }

    /// <summary>Scales a vector to unit length; a zero vector stays zero (sentence-transformers clamps the norm the same way).</summary>
    public static void L2Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        TensorPrimitives.Multiply(vector, 1f / Math.Max(norm, 1e-12f), vector);
    }

    static void AddBias(Span<float> rows, float[] bias)
    {
        for (var i = 0; i < rows.Length; i += bias.Length) TensorPrimitives.Add(rows.Slice(i, bias.Length), bias, rows.Slice(i, bias.Length));
    }

    public void Dispose() => Weights.Owner.Dispose();
}
