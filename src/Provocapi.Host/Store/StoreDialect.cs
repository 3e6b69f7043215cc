namespace Provocapi.Host.Store;

/// <summary>The SQL dialect a <see cref="Database"/> speaks, which picks its migrations.</summary>
public enum StoreDialect
{
    Sqlite,
    Postgres,
}
