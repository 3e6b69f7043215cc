namespace Provocapi.Host.Modules.Adapters.Hub;

/// <summary>A download the hub refused or could not serve; the message is the adapter's failure reason.</summary>
public sealed class HubException(string message) : Exception(message);
