using System.Text.Json;

namespace Provocapi.Core.Chat;

/// <summary>What shape the reply must take: free text, any JSON object (JSON mode), or JSON valid against <see cref="Schema"/>.</summary>
public sealed record ChatResponseFormat(ChatResponseKind Kind, JsonElement? Schema = null)
{
    public static ChatResponseFormat Text { get; } = new(ChatResponseKind.Text);
    public static ChatResponseFormat JsonObject { get; } = new(ChatResponseKind.JsonObject);
    public static ChatResponseFormat JsonSchema(JsonElement schema) => new(ChatResponseKind.JsonSchema, schema.Clone());
}

public enum ChatResponseKind { Text, JsonObject, JsonSchema }
