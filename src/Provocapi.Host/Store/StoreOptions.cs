using Npgsql;
using Provocapi.Host.Platform.Options;

namespace Provocapi.Host.Store;

/// <summary><c>Provocapi:Store</c>: empty <see cref="Postgres"/> keeps the embedded SQLite file; an Npgsql connection string shares a PostgreSQL database.</summary>
public sealed class StoreOptions : ICheckedOptions
{
    public const string Section = "Provocapi:Store";

    public string Postgres { get; set; } = "";

    public bool UsesPostgres => Postgres.Length > 0;

    public IEnumerable<string> Problems()
    {
        if (UsesPostgres && ConnectionStringProblem(Postgres) is { } problem) yield return $"{Section}:Postgres is not a connection string: {problem}";
    }

    static string? ConnectionStringProblem(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
