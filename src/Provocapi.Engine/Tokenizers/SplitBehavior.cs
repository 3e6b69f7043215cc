namespace Provocapi.Engine.Tokenizers;

/// <summary>What a split does with the text its pattern matches, as Hugging Face tokenizers' SplitDelimiterBehavior.</summary>
internal enum SplitBehavior
{
    /// <summary>Matches and the text between them are separate pieces.</summary>
    Isolated,
    /// <summary>Matches are dropped.</summary>
    Removed,
    /// <summary>A match joins the piece before it.</summary>
    MergedWithPrevious,
    /// <summary>A match joins the piece after it.</summary>
    MergedWithNext,
    /// <summary>Consecutive matches form one piece.</summary>
    Contiguous,
}
