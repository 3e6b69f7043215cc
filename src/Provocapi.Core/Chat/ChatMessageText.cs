namespace Provocapi.Core.Chat;

/// <summary>A chat turn reduced to what a prompt format needs: a role and its text.</summary>
public sealed record ChatMessageText(string Role, string Content);
