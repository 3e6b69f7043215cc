using System.Data.Common;
using Provocapi.Host.Platform.Cluster;

namespace Provocapi.Host.Store;

/// <summary>
/// The shared store: an embedded SQLite file (<see cref="SqliteDatabase"/>) or a PostgreSQL database several
/// processes share (<see cref="PostgresDatabase"/>). Stores write SQL both accept and ask this class only for what
/// the two spell differently. Each caller opens a (pooled) connection for its unit of work.
/// </summary>
public abstract class Database
{
    public abstract StoreDialect Dialect { get; }

    /// <summary>An open connection; dispose it after the unit of work.</summary>
    public abstract DbConnection Open();

    /// <summary>A transaction that will write: on SQLite it takes the write lock up front, so it never fails half-way with SQLITE_BUSY.</summary>
    public abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>Applies the migrations the store lacks; safe when several processes start at once.</summary>
    public abstract Database Migrate();

    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>Whether other processes may use this store too: a PostgreSQL store, or a SQLite file under a cluster role
    /// (a cluster's nodes on one machine may share a data folder). State a process keeps in memory is then its own only.</summary>
    public bool IsShared(ClusterRole role) => role != ClusterRole.All || Dialect == StoreDialect.Postgres;

    /// <summary>An expression that orders <c>batch_jobs</c> rows by insertion (several may share a second).</summary>
    public abstract string InsertOrder { get; }

    /// <summary>The clause that locks the rows of <paramref name="alias"/> a query reads until the write transaction ends,
    /// passing over rows another transaction holds (SQLite's write lock already covers the file).</summary>
    public abstract string LockSkippingLocked(string alias);

    /// <summary>A condition that <paramref name="column"/> is one of the list parameter <paramref name="parameter"/> (Dapper passes lists as arrays to Npgsql).</summary>
    public abstract string IsAnyOf(string column, string parameter);
}
