using Microsoft.Extensions.Options;
using Provocapi.Engine.Formats;
using Provocapi.Engine.Models;
using Provocapi.Engine.Models.Adapters;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Server;

namespace Provocapi.Host.Modules.Adapters;

/// <summary>
/// Where adapters live on disk (<c>{DataDirectory}/adapters/{tenant}/{id}/</c>, ids we make, so no caller-chosen path
/// segment), how files arrive there (streamed, under the size limit), and the check that they fit their base model.
/// </summary>
public sealed class AdapterFiles(IOptions<ServerOptions> server, IOptions<AdapterOptions> options)
{
    public const string GgufFile = "adapter.gguf";
    readonly string _root = Path.GetFullPath(Path.Combine(server.Value.DataDirectory, "adapters"));

    public long MaxBytes => options.Value.MaxAdapterBytes;

    public string Folder(string tenantId, string id) => Path.Combine(_root, tenantId, id);

    /// <summary>The path the engine loads: the folder of a PEFT adapter, or the GGUF file.</summary>
    public string AdapterPath(string tenantId, string id, string format) => PathIn(Folder(tenantId, id), format);

    /// <summary>The path the engine loads for an adapter of <paramref name="format"/> whose files are in <paramref name="folder"/>.</summary>
    public static string PathIn(string folder, string format) => format == "gguf" ? Path.Combine(folder, GgufFile) : folder;

    public string CreateFolder(string tenantId, string id) => Directory.CreateDirectory(Folder(tenantId, id)).FullName;

    public void DeleteFolder(string tenantId, string id) => DeleteTree(Folder(tenantId, id));

    /// <summary>Deletes <paramref name="folder"/> and everything in it; a folder already gone is fine.</summary>
    public static void DeleteTree(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="path"/>; past <paramref name="budget"/> bytes it stops with a 413.</summary>
    public async Task<long> CopyAsync(Stream source, string path, long budget, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        long written = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            written += read;
            if (written > budget) throw TooLarge();
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        return written;
    }

    public ApiException TooLarge() => ApiException.TooLarge($"The adapter is larger than the limit of {MaxBytes} bytes.");

    /// <summary>Loads the adapter against its base model's shape: rank, shapes and target modules must fit. A misfit is a 400 naming the problem.</summary>
    public AdapterStore.Description Check(string path, string name, TransformerConfig baseConfig)
    {
        LoraAdapter adapter;
        try { adapter = LoraAdapterLoader.Load(path, name, baseConfig); }
        catch (ModelFormatException e)
        {
            throw ApiException.BadRequest($"The adapter was refused: {Scrub(e.Message, path)}", null, "invalid_adapter");
        }
        var size = Directory.Exists(path) ? new DirectoryInfo(path).EnumerateFiles().Sum(f => f.Length) : new FileInfo(path).Length;
        return new AdapterStore.Description(adapter.Rank, adapter.Alpha, adapter.Targets.Select(LoraProjections.PeftName).ToList(), size);
    }

    /// <summary>Messages name files by their path on the server; the caller sees only the file name.</summary>
    static string Scrub(string message, string path)
    {
        var folder = Directory.Exists(path) ? path : Path.GetDirectoryName(path)!;
        return message.Replace(folder + Path.DirectorySeparatorChar, "", StringComparison.Ordinal).Replace(folder, "the adapter", StringComparison.Ordinal);
    }
}
