using System.Text;
using Provocapi.Core.Adapters;
using Provocapi.Engine.KvCache;
using Provocapi.Engine.Models;
using Provocapi.Engine.Sampling;
using Provocapi.Engine.Sampling.Grammar;
using Provocapi.Engine.Tokenizers;

namespace Provocapi.Core.Generation;

/// <summary>
/// One sequence being generated: its tokens (prompt, then output), KV pages, sampler, stop strings and streaming
/// decoder. The scheduler feeds it in steps: <see cref="AddTo"/> puts the tokens whose keys and values are not yet
/// cached into a batch (a prompt chunk, or the last sampled token), and <see cref="Accept"/> takes the logits after
/// the last one. Dropping its pages (preemption) only means those tokens are fed again later.
/// </summary>
public sealed class SequenceState : IDisposable
{
    readonly LanguageModel _model;
    readonly GenerationRequest _request;
    readonly Sampler _sampler;
    readonly StopStringMatcher _stops;
    readonly StreamingDecoder _decoder;
    readonly List<int> _tokens;
    readonly List<ulong> _pageKeys = [];
    readonly StringBuilder _text = new();
    readonly List<TokenLogprob>? _logprobs;
    readonly int _contextLength;
    readonly JsonConstraint? _constraint;
    float[] _constrained = [];
    readonly LoadedAdapter? _adapter;
    bool _disposed;

    public int[] Prompt { get; }
    public KvPageTable Cache { get; }
    public FinishReason? Finished { get; private set; }
    public int Generated => _tokens.Count - Prompt.Length;
    /// <summary>Tokens whose keys and values are not cached yet: the prompt (or what is left of it), else the last sampled token.</summary>
    public int Pending => _tokens.Count - Cache.Length;
    public bool IsPrefilling => Pending > 1 || Generated == 0;
    /// <summary>Arrival to admission by the engine.</summary>
    public TimeSpan QueueTime { get; set; }

    public SequenceState(LanguageModel model, GenerationRequest request, KvPagePool pool, int contextLength)
    {
        _model = model;
        _request = request;
        _contextLength = contextLength;
        Prompt = request.PromptTokens?.ToArray()
            ?? model.Tokenizer.Encode(request.Prompt ?? "", addSpecial: request.AddSpecialTokens, parseSpecial: request.ParseSpecialTokens);
        if (Prompt.Length == 0) throw new ArgumentException("the prompt is empty (no tokens)");
        foreach (var id in Prompt)
            if ((uint)id >= (uint)model.Config.VocabSize)
                throw new ArgumentException($"prompt token id {id} is outside the vocabulary (0..{model.Config.VocabSize - 1})");
        if (Prompt.Length >= contextLength) throw new PromptTooLongException(Prompt.Length, contextLength);
        _tokens = [.. Prompt];
        if (request.TopLogprobs != null) _logprobs = [];
        _sampler = new Sampler(request.Sampling, Prompt);
        _constraint = request.Grammar?.Begin(model.StopTokenIds);
        _stops = new StopStringMatcher(request.StopStrings);
        // The continuation follows the prompt, so a SentencePiece word keeps its leading space.
        _decoder = model.Tokenizer.CreateStreamingDecoder(skipSpecial: !request.DecodeSpecialTokens, atTextStart: false);
        Cache = new KvPageTable(pool);
        _adapter = request.Adapter;
        _adapter?.Retain();
    }

    /// <summary>Positions the sequence may still need: its tokens now plus what it may yet generate.</summary>
    public int MaxLength => Math.Min(_contextLength, Prompt.Length + _request.MaxTokens);

    /// <summary>
    /// Takes over cached pages holding this sequence's leading tokens, page by page while they match, leaving at
    /// least one token to feed (its logits are needed). Returns the tokens reused.
    /// </summary>
    public int ReuseCachedPrefix()
    {
        var pool = Cache.Pool;
        var size = pool.PageSize;
        var reused = 0;
        while (Cache.Length == Cache.Pages.Count * size && (Cache.Pages.Count + 1) * size < _tokens.Count)
        {
            var index = Cache.Pages.Count;
            var tokens = TokensSpan(index * size, size);
            var key = PrefixPageIndex.Key(ParentKey(index), tokens);
            if (!pool.TryHoldPrefix(key, ParentKey(index), ParentPage(index), tokens, out var page)) break;
            Cache.AppendFilled(page);
            if (_pageKeys.Count == index) _pageKeys.Add(key);
            reused += size;
        }
        return reused;
    }

    /// <summary>Indexes the pages this sequence has filled since the last call, so later prompts can reuse them.</summary>
    public void IndexFilledPages()
    {
        var size = Cache.Pool.PageSize;
        for (var index = _pageKeys.Count; (index + 1) * size <= Cache.Length; index++)
        {
            var tokens = TokensSpan(index * size, size);
            var key = PrefixPageIndex.Key(ParentKey(index), tokens);
            Cache.Pool.IndexPrefix(Cache.Pages[index], key, ParentKey(index), ParentPage(index), tokens);
            _pageKeys.Add(key);
        }
    }

    /// <summary>A first page's parent is the sequence's root: the base model (0) or its adapter, so pages never cross adapters.</summary>
    ulong ParentKey(int pageIndex) => pageIndex == 0 ? _adapter?.Identity ?? 0 : _pageKeys[pageIndex - 1];

    int ParentPage(int pageIndex) => pageIndex == 0 ? -1 : Cache.Pages[pageIndex - 1];

    ReadOnlySpan<int> TokensSpan(int start, int length) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_tokens).Slice(start, length);

    /// <summary>Adds up to <paramref name="maxTokens"/> pending tokens to <paramref name="batch"/>, asking for logits if they reach the end; returns how many.</summary>
    public int AddTo(ForwardBatch batch, int maxTokens)
    {
        var start = Cache.Length;
        var count = Math.Min(Pending, maxTokens);
        batch.AddRange(TokensSpan(start, count), start, Cache, logitsForLast: start + count == _tokens.Count, _adapter?.Adapter);
        return count;
    }

    /// <summary>Drops the cached keys and values (preemption); the tokens are fed again on re-admission.</summary>
    public void DropCache()
    {
        Cache.Dispose();
        _pageKeys.Clear();
    }

    /// <summary>Samples from the logits after the last fed token; returns the chunk to stream (the final one when done).</summary>
    public GenerationChunk Accept(ReadOnlySpan<float> logits)
    {
        if (_constraint != null) logits = Constrain(logits);
        var token = _sampler.Sample(logits);
        _sampler.Accept(token);
        _constraint?.Accept(token);
        var logprob = _logprobs != null ? TokenLogprob.Of(logits, token, _request.TopLogprobs!.Value) : null;
        _logprobs?.Add(logprob!);
        _tokens.Add(token);
        var piece = "";
        if (!_request.IgnoreEndOfGeneration && _model.StopTokenIds.Contains(token))
            Finished = FinishReason.Stop;
        else
        {
            piece = _stops.Push(_decoder.Append(token));
            _text.Append(piece);
            if (_stops.Stopped) Finished = FinishReason.Stop;
            else if (Generated >= _request.MaxTokens || _tokens.Count >= _contextLength) Finished = FinishReason.Length;
        }
        if (Finished is null) return new GenerationChunk(piece, token) { QueueTime = QueueTime, Logprob = logprob };
        return new GenerationChunk(piece + FlushText(), token, Result(Finished.Value)) { QueueTime = QueueTime, Logprob = logprob };
    }

    /// <summary>The logits with what the grammar refuses at −∞; the last token of the budget must be able to finish the value.</summary>
    ReadOnlySpan<float> Constrain(ReadOnlySpan<float> logits)
    {
        if (_constrained.Length < logits.Length) _constrained = new float[logits.Length];
        var masked = _constrained.AsSpan(0, logits.Length);
        logits.CopyTo(masked);
        _constraint!.Mask(masked, MaxLength - _tokens.Count);
        return masked;
    }

    /// <summary>Ends the sequence early (cancellation) with what was generated so far.</summary>
    public GenerationResult Cancel()
    {
        Finished = FinishReason.Cancelled;
        FlushText();
        return Result(FinishReason.Cancelled);
    }

    string FlushText()
    {
        if (_stops.Stopped) return "";
        var rest = _stops.Push(_decoder.Flush()) + _stops.Flush();
        _text.Append(rest);
        return rest;
    }

    GenerationResult Result(FinishReason reason) =>
        new(_text.ToString(), _tokens.GetRange(Prompt.Length, Generated).ToArray(), Prompt.Length, Generated, reason) { Logprobs = _logprobs?.ToArray() };

    public void Dispose()
    {
        Cache.Dispose();
        if (_disposed) return;
        _disposed = true;
        _adapter?.Release();
    }
}
