using Dapper;
using Provocapi.Host.Store;

namespace Provocapi.Host.Modules.Adapters.Gateway;

/// <summary>
/// Ready adapters' files in the shared store (<c>adapter_files</c>), where any gateway can hand them to a worker.
/// Adapters are small next to their base model (megabytes), so a file is read and written whole.
/// </summary>
public sealed class AdapterFileStore(Database store)
{
    /// <summary>Copies every file of <paramref name="folder"/> into the store, in one transaction.</summary>
    public void Save(string adapterId, string folder)
    {
        using var connection = store.Open();
        using var transaction = store.BeginWrite(connection);
        foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            connection.Execute("INSERT INTO adapter_files (adapter_id, name, content) VALUES (@adapterId, @name, @content)",
                new { adapterId, name = Path.GetFileName(file), content = File.ReadAllBytes(file) }, transaction);
        transaction.Commit();
    }

    public IReadOnlyList<string> Names(string adapterId)
    {
        using var connection = store.Open();
        return connection.Query<string>("SELECT name FROM adapter_files WHERE adapter_id = @adapterId ORDER BY name", new { adapterId }).ToList();
    }

    /// <summary>The file's bytes; null when the adapter has no such file (or is gone).</summary>
    public byte[]? Content(string adapterId, string name)
    {
        using var connection = store.Open();
        return connection.QuerySingleOrDefault<byte[]>("SELECT content FROM adapter_files WHERE adapter_id = @adapterId AND name = @name", new { adapterId, name });
    }

    public void Delete(string adapterId)
    {
        using var connection = store.Open();
        connection.Execute("DELETE FROM adapter_files WHERE adapter_id = @adapterId", new { adapterId });
    }
}
