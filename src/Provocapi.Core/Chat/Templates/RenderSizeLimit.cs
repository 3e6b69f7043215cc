namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// The largest string or list the current render may build (<see cref="ChatTemplateOptions.MaxOutputLength"/>).
/// Values are built deep inside Python's semantics (repr, join, json, repetition), far from the renderer, so the
/// limit travels with the thread: a render runs synchronously on one thread.
/// </summary>
internal static class RenderSizeLimit
{
    [ThreadStatic]
    static int t_limit;

    public static int Current => t_limit > 0 ? t_limit : ChatTemplateOptions.Default.MaxOutputLength;

    /// <summary>Sets the limit for the calling thread until the returned scope is disposed.</summary>
    public static Scope Enter(int limit)
    {
        var previous = t_limit;
        t_limit = limit;
        return new Scope(previous);
    }

    public static void Check(long length)
    {
        if (length > Current)
            throw new ChatTemplateException($"TemplateRuntimeError: the render built a value longer than the limit of {Current} characters or items");
    }

    public readonly struct Scope(int previous) : IDisposable
    {
        public void Dispose() => t_limit = previous;
    }
}
