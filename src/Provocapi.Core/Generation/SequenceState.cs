using System.Text;
using Provocapi.Engine.KvCache;
using Provocapi.Engine.Models;
using Provocapi.Engine.Sampling;
using Provocapi.Engine.Tokenizers;

namespace Provocapi.Core.Generation;

/// <summary>
/// One sequence being generated: its prompt, KV pages, sampler, stop strings and streaming decoder. Fed logits one
/// step at a time, it decides the next token and what text may be streamed.
/// </summary>
public sealed class SequenceState : IDisposable
{
    readonly LanguageModel _model;
    readonly GenerationRequest _request;
    readonly Sampler _sampler;
    readonly StopStringMatcher _stops;
    readonly StreamingDecoder _decoder;
    readonly List<int> _generated = [];
    readonly StringBuilder _text = new();
    readonly int _contextLength;

    public int[] Prompt { get; }
    public KvPageTable Cache { get; }
    /// <summary>Prompt tokens already fed to the model.</summary>
    public int Prefilled { get; private set; }
    public FinishReason? Finished { get; private set; }
    /// <summary>The token to feed next while decoding.</summary>
    public int LastToken { get; private set; }
    public int Position => Prompt.Length + _generated.Count - 1;
    /// <summary>Arrival to admission by the engine.</summary>
    public TimeSpan QueueTime { get; set; }

    public SequenceState(LanguageModel model, GenerationRequest request, KvPagePool pool, int contextLength)
    {
        _model = model;
        _request = request;
        _contextLength = contextLength;
        Prompt = request.PromptTokens?.ToArray()
            ?? model.Tokenizer.Encode(request.Prompt ?? "", addSpecial: true, parseSpecial: request.ParseSpecialTokens);
        if (Prompt.Length == 0) throw new ArgumentException("the prompt is empty (no tokens)");
        foreach (var id in Prompt)
            if ((uint)id >= (uint)model.Config.VocabSize)
                throw new ArgumentException($"prompt token id {id} is outside the vocabulary (0..{model.Config.VocabSize - 1})");
        if (Prompt.Length >= contextLength) throw new PromptTooLongException(Prompt.Length, contextLength);
        _sampler = new Sampler(request.Sampling, Prompt);
        _stops = new StopStringMatcher(request.StopStrings);
        // The continuation follows the prompt, so a SentencePiece word keeps its leading space.
        _decoder = model.Tokenizer.CreateStreamingDecoder(atTextStart: false);
        Cache = new KvPageTable(pool);
    }

    public bool IsPrefilling => Prefilled < Prompt.Length;

    /// <summary>Takes up to <paramref name="max"/> prompt tokens to feed next.</summary>
    public ReadOnlySpan<int> TakePrefill(int max)
    {
        var start = Prefilled;
        Prefilled = Math.Min(Prompt.Length, start + max);
        return Prompt.AsSpan(start, Prefilled - start);
    }

    /// <summary>Samples from the logits after the last fed token; returns the chunk to stream (the final one when done).</summary>
    public GenerationChunk Accept(ReadOnlySpan<float> logits)
    {
        var token = _sampler.Sample(logits);
        _sampler.Accept(token);
        _generated.Add(token);
        LastToken = token;
        var piece = "";
        if (!_request.IgnoreEndOfGeneration && _model.StopTokenIds.Contains(token))
            Finished = FinishReason.Stop;
        else
        {
            piece = _stops.Push(_decoder.Append(token));
            _text.Append(piece);
            if (_stops.Stopped) Finished = FinishReason.Stop;
            else if (_generated.Count >= _request.MaxTokens || Prompt.Length + _generated.Count >= _contextLength) Finished = FinishReason.Length;
        }
        if (Finished is null) return new GenerationChunk(piece, token) { QueueTime = QueueTime };
        return new GenerationChunk(piece + FlushText(), token, Result(Finished.Value)) { QueueTime = QueueTime };
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

    GenerationResult Result(FinishReason reason) => new(_text.ToString(), _generated.ToArray(), Prompt.Length, _generated.Count, reason);

    public void Dispose() => Cache.Dispose();
}
