namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// Limits and clock for rendering a chat template. Templates come with downloaded models, so a render is bounded: a
/// template that loops without end or builds an enormous string stops with a <see cref="ChatTemplateException"/>.
/// </summary>
public sealed record ChatTemplateOptions
{
    public static ChatTemplateOptions Default { get; } = new();

    /// <summary>Statements, loop iterations, calls and filters one render may run.</summary>
    public long MaxSteps { get; init; } = 10_000_000;

    /// <summary>Largest output, and largest string or list a render may build, in UTF-16 characters or items.</summary>
    public int MaxOutputLength { get; init; } = 16 * 1024 * 1024;

    /// <summary>Deepest nesting of macro calls (templates recurse over JSON schemas, a few levels deep).</summary>
    public int MaxCallDepth { get; init; } = 64;

    /// <summary>The clock behind <c>strftime_now</c>, which templates use to print today's date.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
