namespace Provocapi.Engine.Tokenizers;

/// <summary>When a ▁ goes in front of text (Hugging Face Metaspace's prepend_scheme).</summary>
internal enum MetaspacePrepend
{
    /// <summary>Never.</summary>
    Never,
    /// <summary>Only in front of the text's first stretch, not after a special token.</summary>
    First,
    /// <summary>In front of every stretch of text between special tokens.</summary>
    Always,
}
