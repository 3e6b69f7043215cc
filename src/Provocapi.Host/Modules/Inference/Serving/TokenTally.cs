namespace Provocapi.Host.Modules.Inference.Serving;

/// <summary>
/// Tokens a request has really used so far (prompts that started, tokens that came out), for settling its
/// rate-limit reservation however it ends. Thread-safe: a request's prompts may generate concurrently.
/// </summary>
public sealed class TokenTally
{
    long _prompt, _completion;

    public long Total => Interlocked.Read(ref _prompt) + Interlocked.Read(ref _completion);

    public void AddPrompt(long tokens) => Interlocked.Add(ref _prompt, tokens);

    public void AddCompletion() => Interlocked.Increment(ref _completion);
}
