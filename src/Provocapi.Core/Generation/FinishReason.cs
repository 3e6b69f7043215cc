namespace Provocapi.Core.Generation;

/// <summary>Why generation ended, in OpenAI's words where they exist.</summary>
public enum FinishReason
{
    /// <summary>An end-of-generation token or a stop string.</summary>
    Stop,
    /// <summary>max_tokens or the context length was reached.</summary>
    Length,
    /// <summary>The caller cancelled.</summary>
    Cancelled,
}
