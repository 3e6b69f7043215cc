namespace Provocapi.Host.Platform.Models;

/// <summary>How many choices (<c>n</c>) one prompt may ask for: the workers enforce it, gateways weigh requests by it.</summary>
public static class ChoiceLimits
{
    public const int MaxChoices = 16;
}
