namespace Provocapi.Host.Cli;

/// <summary>A command line that cannot be acted on; its message is shown to the user as is.</summary>
public sealed class CommandLineException(string message) : Exception(message);
