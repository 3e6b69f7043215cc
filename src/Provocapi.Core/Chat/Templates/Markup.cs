namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// MarkupSafe's Markup, a string marked safe by the <c>safe</c> or <c>escape</c> filters. Even with autoescaping off
/// it matters in one place templates rely on: <c>markup + text</c> HTML-escapes the text. Everywhere else it acts as
/// its string.
/// </summary>
internal sealed class Markup(string value)
{
    public string Value { get; } = value;

    public static object? Unwrap(object? value) => value is Markup markup ? markup.Value : value;

    public static string Escape(string s) =>
        s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&#34;").Replace("'", "&#39;");
}
