namespace Provocapi.Engine.Formats;

/// <summary>A model file that cannot be used: truncated, corrupt, or of an unsupported kind. The message names the file and the problem.</summary>
public sealed class ModelFormatException(string message, Exception? inner = null) : Exception(message, inner);
