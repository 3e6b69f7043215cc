using Dapper;
using Provocapi.Host.Store;

namespace Provocapi.Host.Modules.Adapters.Gateway;

/// <summary>
/// Ready adapters' files in the shared store (<c>adapter_file_parts</c>), where any gateway can hand them to a worker.
/// A file is kept in parts of <paramref name="partBytes"/>, written and read one part at a time: an adapter may be as
/// large as <c>MaxAdapterBytes</c> (a gigabyte by default), and several workers may fetch one at once, so no file is
/// ever held whole in memory. A reader opens a connection per part, so a slow worker holds none between parts.
/// </summary>
public sealed class AdapterFileStore(Database store, int partBytes = AdapterFileStore.DefaultPartBytes)
{
    public const int DefaultPartBytes = 4 << 20;

    /// <summary>Copies every file of <paramref name="folder"/> into the store, in one transaction.</summary>
    public void Save(string adapterId, string folder)
    {
        var buffer = new byte[partBytes];
        using var connection = store.Open();
        using var transaction = store.BeginWrite(connection);
        foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            using var source = File.OpenRead(file);
            // An empty file still gets its part 0, so it is listed.
            for (var part = 0; ; part++)
            {
                var read = source.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
                if (read == 0 && part > 0) break;
                connection.Execute("INSERT INTO adapter_file_parts (adapter_id, name, part, content) VALUES (@adapterId, @name, @part, @content)",
                    new { adapterId, name = Path.GetFileName(file), part, content = read == buffer.Length ? buffer : buffer[..read] }, transaction);
                if (read < buffer.Length) break;
            }
        }
        transaction.Commit();
    }

    public IReadOnlyList<string> Names(string adapterId)
    {
        using var connection = store.Open();
        return connection.Query<string>("SELECT name FROM adapter_file_parts WHERE adapter_id = @adapterId AND part = 0 ORDER BY name", new { adapterId }).ToList();
    }

    /// <summary>The file's size in bytes; null when the adapter has no such file (or is gone).</summary>
    public long? Length(string adapterId, string name)
    {
        using var connection = store.Open();
        return connection.ExecuteScalar<long?>("SELECT SUM(LENGTH(content)) FROM adapter_file_parts WHERE adapter_id = @adapterId AND name = @name",
            new { adapterId, name });
    }

    /// <summary>Writes the file's parts in order to <paramref name="destination"/>, one in memory at a time. A delete while
    /// it runs cuts the file short: the caller sends <see cref="Length"/> first, so the reader sees a truncated body.</summary>
    public async Task CopyToAsync(string adapterId, string name, Stream destination, CancellationToken cancellationToken)
    {
        for (var part = 0; ; part++)
        {
            byte[]? content;
            await using (var connection = store.Open())
                content = await connection.QuerySingleOrDefaultAsync<byte[]>(new CommandDefinition(
                    "SELECT content FROM adapter_file_parts WHERE adapter_id = @adapterId AND name = @name AND part = @part", new { adapterId, name, part },
                    cancellationToken: cancellationToken));
            if (content == null) return;
            await destination.WriteAsync(content, cancellationToken);
        }
    }

    public void Delete(string adapterId)
    {
        using var connection = store.Open();
        connection.Execute("DELETE FROM adapter_file_parts WHERE adapter_id = @adapterId", new { adapterId });
    }
}
