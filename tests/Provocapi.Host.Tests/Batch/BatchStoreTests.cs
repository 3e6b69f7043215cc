using Provocapi.Host.Modules.Batch;
using Provocapi.Host.Store;

namespace Provocapi.Host.Tests.Batch;

/// <summary>The batch store on a real SQLite file.</summary>
public sealed class BatchStoreTests
{
    [Fact]
    public void Claiming_with_nothing_pending_finds_nothing_rather_than_failing()
    {
        // An idle server's runner claims on every poll; SQLite types a query's columns from its rows, so an empty
        // answer must still map.
        var store = new BatchStore(new SqliteStore(Directory.CreateTempSubdirectory("provocapi-batch-store-").FullName).Migrate());
        Assert.Empty(store.Claim(4, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    }
}
