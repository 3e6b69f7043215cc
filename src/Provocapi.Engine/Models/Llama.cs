using System.Buffers;
using System.Numerics.Tensors;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.KvCache;
using Provocapi.Engine.Models.Adapters;
using Provocapi.Engine.Ops;

namespace Provocapi.Engine.Models;

/// <summary>
/// The Llama family's forward pass (Llama 2/3, Mistral, Qwen2 with q/k/v biases), read top to bottom as in
/// llama2.c: embed → per layer (RMSNorm, q/k/v, RoPE, cached attention, residual, RMSNorm, SwiGLU, residual)
/// → RMSNorm → LM head. Immutable and shareable; per-call state lives in <see cref="ForwardScratch"/> and the KV cache.
/// </summary>
public sealed unsafe class Llama : IDisposable
{
    public TransformerConfig Config { get; }
    public LlamaWeights Weights { get; }
    readonly float[] _invFrequencies;

    public Llama(TransformerConfig config, LlamaWeights weights)
    {
        Config = config;
        Weights = weights;
        _invFrequencies = RopeScaling.InverseFrequencies(config);
    }

    /// <summary>What one position of this model's KV cache holds, stored as <paramref name="type"/>.</summary>
    public KvCacheShape KvShape(KvCacheType type) => new(Config.LayerCount, Config.KvHeadCount, Config.HeadDim, type);

    /// <summary>
    /// Runs one step and returns the logits of <see cref="ForwardBatch.LogitTokens"/>, (logit tokens, vocab),
    /// valid until the next call with the same scratch. Keys and values of every token are written to its sequence's cache.
    /// </summary>
    public ReadOnlySpan<float> Forward(ForwardBatch batch, ForwardScratch s, CpuWorkers workers)
    {
        TryForward(batch, s, workers, abandon: null, out var logits);
        return logits;
    }

    /// <summary>
    /// <see cref="Forward"/>, unless <paramref name="abandon"/>, asked between layers, says to give the step up: then it
    /// returns false and no sequence has advanced. The keys and values it wrote sit past each sequence's length, so
    /// feeding the same tokens again rewrites them with the same values (a token's result never depends on its batch).
    /// </summary>
    public bool TryForward(ForwardBatch batch, ForwardScratch s, CpuWorkers workers, Func<bool>? abandon, out ReadOnlySpan<float> logits)
    {
        logits = [];
        var c = Config;
        int n = batch.Count, d = c.EmbeddingDim;
        if (n == 0) return true;
        s.Ensure(c, n, batch.LogitTokens.Count);
        for (var i = 0; i < n; i++)
        {
            if (batch.Positions[i] >= c.ContextLength)
                throw new ArgumentOutOfRangeException(nameof(batch), $"position {batch.Positions[i]} is past the context length {c.ContextLength}");
            if ((uint)batch.Tokens[i] >= (uint)c.VocabSize)
                throw new ArgumentOutOfRangeException(nameof(batch), $"token id {batch.Tokens[i]} is outside the vocabulary (0..{c.VocabSize - 1})");
            if (batch.Adapters[i] is { } adapter && adapter.LayerCount != c.LayerCount)
                throw new ArgumentException($"LoRA adapter '{adapter.Name}' has {adapter.LayerCount} layers; this model has {c.LayerCount}", nameof(batch));
            batch.Sequences[i].Reserve(batch.Positions[i] + 1);
        }

        var x = s.X.AsSpan(0, n * d);                                   // (n, dim) residual stream
        for (var i = 0; i < n; i++)
            Dequantize.Row(Weights.TokenEmbedding, batch.Tokens[i], x.Slice(i * d, d));

        var geometry = new Attention.Geometry(c.HeadCount, c.KvHeadCount, c.HeadDim);
        for (var l = 0; l < c.LayerCount; l++)
        {
            if (l > 0 && abandon != null && abandon()) return false;
            var w = Weights.Layers[l];
            // attention block
            var normed = s.Normed.AsSpan(0, n * d);
            RmsNorm.Rows(x, w.AttentionNorm, c.RmsNormEps, normed);
            var q = s.Query.AsSpan(0, n * c.QueryDim);                  // (n, heads·headDim)
            var k = s.Key.AsSpan(0, n * c.KvDim);                       // (n, kvHeads·headDim)
            var v = s.Value.AsSpan(0, n * c.KvDim);
            MatMul.Compute(normed, n, workers, w.Query, q, w.Key, k, w.Value, v);
            fixed (float* pq = q, pk = k, pv = v)
                AddLora(batch, s, l, normed, workers, new(LoraProjection.Query, pq, q.Length), new(LoraProjection.Key, pk, k.Length), new(LoraProjection.Value, pv, v.Length));
            AddBias(q, w.QueryBias);
            AddBias(k, w.KeyBias);
            AddBias(v, w.ValueBias);
            for (var i = 0; i < n; i++)
            {
                Rope.Apply(q.Slice(i * c.QueryDim, c.QueryDim), c.HeadDim, batch.Positions[i], _invFrequencies, c.RopeLayout);
                Rope.Apply(k.Slice(i * c.KvDim, c.KvDim), c.HeadDim, batch.Positions[i], _invFrequencies, c.RopeLayout);
                StoreKv(batch.Sequences[i], l, batch.Positions[i], k.Slice(i * c.KvDim, c.KvDim), v.Slice(i * c.KvDim, c.KvDim));
            }
            var att = s.Attention.AsSpan(0, n * c.QueryDim);
            Attend(batch, l, geometry, s.Query, s.Attention, workers);
            var projected = s.Projected.AsSpan(0, n * d);
            MatMul.Compute(w.Output, att, projected, n, workers);
            fixed (float* po = projected) AddLora(batch, s, l, att, workers, new LoraOutput(LoraProjection.Output, po, projected.Length));
            TensorPrimitives.Add(x, projected, x);

            // feed-forward block
            RmsNorm.Rows(x, w.FeedForwardNorm, c.RmsNormEps, normed);
            var gate = s.Gate.AsSpan(0, n * c.FeedForwardDim);           // (n, ffn)
            var up = s.Up.AsSpan(0, n * c.FeedForwardDim);
            MatMul.Compute(normed, n, workers, w.Gate, gate, w.Up, up);
            fixed (float* pg = gate, pu = up)
                AddLora(batch, s, l, normed, workers, new(LoraProjection.Gate, pg, gate.Length), new(LoraProjection.Up, pu, up.Length));
            SwiGlu.Apply(gate, up, gate);
            MatMul.Compute(w.Down, gate, projected, n, workers);
            fixed (float* pd = projected) AddLora(batch, s, l, gate, workers, new LoraOutput(LoraProjection.Down, pd, projected.Length));
            TensorPrimitives.Add(x, projected, x);
        }
        // Not asked again after the last layer: giving the step up there would throw away every layer to save only the
        // output projection.
        foreach (var sequence in batch.Sequences.Distinct())
            sequence.Advance(MaxPosition(batch, sequence) + 1);

        var m = batch.LogitTokens.Count;
        if (m == 0) return true;
        var finalNormed = s.Normed.AsSpan(0, m * d);                    // (m, dim)
        for (var j = 0; j < m; j++)
            RmsNorm.Simd(x.Slice(batch.LogitTokens[j] * d, d), Weights.OutputNorm, c.RmsNormEps, finalNormed.Slice(j * d, d));
        var output = s.Logits.AsSpan(0, m * c.VocabSize);               // (m, vocab)
        MatMul.Compute(Weights.Output, finalNormed, output, m, workers);
        logits = output;
        return true;
    }

    /// <summary>Where one projection's LoRA delta goes: its outputs, tokens × outputs floats.</summary>
    readonly struct LoraOutput(LoraProjection projection, float* y, int length)
    {
        public LoraProjection Projection { get; } = projection;
        public float* Y { get; } = y;
        public int Length { get; } = length;
    }

    /// <summary>y += s·B(A·x) for the tokens whose adapter targets each of these projections (which share the input x)
    /// of this layer, in one parallel loop; nothing at all for a batch without adapters.</summary>
    void AddLora(ForwardBatch batch, ForwardScratch s, int layer, ReadOnlySpan<float> x, CpuWorkers workers, params ReadOnlySpan<LoraOutput> outputs)
    {
        if (!batch.HasAdapters) return;
        var count = 0;
        for (var i = 0; i < outputs.Length; i++)
        {
            var slots = s.LoraWeights[i];
            slots.Clear();
            var any = false;
            foreach (var adapter in batch.Adapters)
            {
                var weights = adapter?.Weights(layer, outputs[i].Projection);
                any |= weights != null;
                slots.Add(weights);
            }
            if (!any) continue;
            var (rows, _) = LoraProjections.Shape(outputs[i].Projection, Config);
            s.LoraTargets[count++] = new Lora.Target(slots, outputs[i].Y, outputs[i].Length, rows);
        }
        if (count == 0) return;
        var (_, inputs) = LoraProjections.Shape(outputs[0].Projection, Config);
        try { Lora.Apply(s.LoraTargets.AsSpan(0, count), x, inputs, workers); }
        finally { Array.Clear(s.LoraTargets); }
    }

    static int MaxPosition(ForwardBatch batch, KvPageTable sequence)
    {
        var max = -1;
        for (var i = 0; i < batch.Count; i++)
            if (batch.Sequences[i] == sequence) max = Math.Max(max, batch.Positions[i]);
        return max;
    }

    static void AddBias(Span<float> rows, float[]? bias)
    {
        if (bias == null) return;
        for (var i = 0; i < rows.Length; i += bias.Length) TensorPrimitives.Add(rows.Slice(i, bias.Length), bias, rows.Slice(i, bias.Length));
    }

    static void StoreKv(KvPageTable table, int layer, int position, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        var (page, slot) = table.Locate(position);
        table.Pool.Store(layer, page, slot, key, value);
    }

    /// <summary>Every (token, kv head) pair is independent: each attends over its own sequence up to its own position,
    /// for the query heads that share the kv head. With fewer pairs than threads can share (one stream, few kv heads,
    /// many cores), a group's heads are split over several items, each reading the group's cache itself.</summary>
    void Attend(ForwardBatch batch, int layer, Attention.Geometry g, float[] query, float[] output, CpuWorkers workers)
    {
        var queryDim = Config.QueryDim;
        var wanted = Math.Clamp(2 * workers.ThreadCount / (batch.Count * g.KvHeads), 1, g.GroupSize);
        var headsPerItem = (g.GroupSize + wanted - 1) / wanted;
        var itemsPerGroup = (g.GroupSize + headsPerItem - 1) / headsPerItem;
        workers.For(batch.Count * g.KvHeads * itemsPerGroup, item =>
        {
            var token = item / (g.KvHeads * itemsPerGroup);
            var inGroup = item % itemsPerGroup * headsPerItem;
            var head = item / itemsPerGroup % g.KvHeads * g.GroupSize + inGroup;
            var count = Math.Min(headsPerItem, g.GroupSize - inGroup);
            var length = batch.Positions[token] + 1;
            var table = batch.Sequences[token];
            var scratch = ArrayPool<float>.Shared.Rent(Attention.ScratchLength(g, count, length, table.Pool.PageSize));
            Attention.Heads(query.AsSpan(token * queryDim, queryDim), table, layer, length, g, head, count, output.AsSpan(token * queryDim, queryDim), scratch);
            ArrayPool<float>.Shared.Return(scratch);
        });
    }

    public void Dispose() => Weights.Owner.Dispose();
}
