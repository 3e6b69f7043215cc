using System.Text.Json;

namespace Provocapi.Host.Tests.Adapters;

/// <summary><c>POST /v1/adapters/upload</c> forms, for the tests of one server and of a cluster.</summary>
public static class AdapterUploads
{
    public static MultipartFormDataContent Form(string? name, string? baseModel, params (string FileName, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent();
        if (name != null) form.Add(new StringContent(name), "name");
        if (baseModel != null) form.Add(new StringContent(baseModel), "base_model");
        foreach (var (fileName, bytes) in files) form.Add(new ByteArrayContent(bytes), "file", fileName);
        return form;
    }

    /// <summary>The two files of a PEFT adapter written to <paramref name="folder"/>.</summary>
    public static (string, byte[])[] PeftFiles(string folder) =>
        [("adapter_config.json", File.ReadAllBytes(Path.Combine(folder, "adapter_config.json"))), ("adapter_model.safetensors", File.ReadAllBytes(Path.Combine(folder, "adapter_model.safetensors")))];

    /// <summary>Uploads the files and asserts success; the adapter object.</summary>
    public static async Task<JsonElement> UploadAsync(HttpClient client, string name, string baseModel, params (string, byte[])[] files)
    {
        using var form = Form(name, baseModel, files);
        using var response = await client.PostAsync("/v1/adapters/upload", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
