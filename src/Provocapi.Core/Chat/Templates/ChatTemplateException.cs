namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// A chat template failed to parse or to render: a syntax error, an error the template raised itself
/// (<c>raise_exception</c>), an undefined value used where a value is needed, an operation the sandbox refuses, or a
/// render that ran past its step budget or output cap.
/// </summary>
public sealed class ChatTemplateException : Exception
{
    public ChatTemplateException(string message) : base(message) { }

    public ChatTemplateException(string message, Exception inner) : base(message, inner) { }
}
