namespace Provocapi.Engine.KvCache;

/// <summary>No free page was left for a sequence that needed one.</summary>
public sealed class KvCacheFullException(string message) : Exception(message);
