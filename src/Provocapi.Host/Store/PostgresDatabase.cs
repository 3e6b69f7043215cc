using System.Data.Common;
using Npgsql;

namespace Provocapi.Host.Store;

/// <summary>A PostgreSQL database shared by every process of a cluster (<c>Provocapi:Store:Postgres</c>), through one Npgsql data source.</summary>
public sealed class PostgresDatabase(string connectionString) : Database, IDisposable
{
    readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    public override StoreDialect Dialect => StoreDialect.Postgres;

    /// <summary>Postgres has no rowid: <c>batch_jobs.seq</c> is a BIGSERIAL (migration 0004).</summary>
    public override string InsertOrder => "seq";

    public override string LockSkippingLocked(string alias) => $"FOR UPDATE OF {alias} SKIP LOCKED";

    public override string IsAnyOf(string column, string parameter) => $"{column} = ANY({parameter})";

    public override NpgsqlConnection Open() => _source.OpenConnection();

    public override DbTransaction BeginWrite(DbConnection connection) => connection.BeginTransaction();

    public override bool IsUniqueViolation(Exception exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public override PostgresDatabase Migrate()
    {
        using var connection = Open();
        SchemaMigrations.Apply(connection);
        return this;
    }

    public void Dispose() => _source.Dispose();
}
