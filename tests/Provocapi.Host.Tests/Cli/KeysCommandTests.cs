namespace Provocapi.Host.Tests.Cli;

public sealed class KeysCommandTests : IDisposable
{
    readonly string _data = Directory.CreateTempSubdirectory("provocapi-keys-").FullName;

    Task<ProvocapiProcess.Outcome> Keys(params string[] args) => ProvocapiProcess.RunAsync(["keys", .. args, "--data", _data]);

    [Fact]
    public async Task Create_list_and_revoke()
    {
        var first = await Keys("create", "--tenant", "acme", "--tier", "reserved");
        Assert.Equal(0, first.ExitCode);
        var key = first.Stdout.TrimEnd().Split('\n')[^1];
        Assert.Matches("^pk-prov-[A-Za-z0-9_-]{40}$", key);
        Assert.Contains("created tenant 'acme' (reserved)", first.Stderr);
        var second = (await Keys("create", "--tenant", "acme")).Stdout.TrimEnd();
        Assert.NotEqual(key, second);

        var list = await Keys("list");
        Assert.Equal(0, list.ExitCode);
        var lines = list.Stdout.TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Contains("\tacme\treserved\t", l));
        Assert.DoesNotContain(key, list.Stdout);
        Assert.Contains(key[..20], list.Stdout);

        var revoke = await Keys("revoke", key[..16]);
        Assert.Equal(0, revoke.ExitCode);
        Assert.Contains(lines, l => l.StartsWith(revoke.Stdout.Trim()["revoked ".Length..], StringComparison.Ordinal));
        Assert.Contains("revoked 20", (await Keys("list", "--tenant", "acme")).Stdout);
        var again = await Keys("revoke", key[..20]);
        Assert.Equal(1, again.ExitCode);
        Assert.StartsWith("error: no active key", again.Stderr);
    }

    [Fact]
    public async Task Bad_arguments_are_one_line_errors()
    {
        // ["create", "--tenant"] is followed by "--data DIR": a missing value, not a tenant named "--data".
        foreach (var args in new[] { new[] { "create" }, ["create", "--tenant"], ["create", "--tenant", "x", "--tier", "gold"], ["revoke", "abc"], ["rotate"] })
        {
            var outcome = await Keys(args);
            Assert.Equal(1, outcome.ExitCode);
            Assert.StartsWith("error: ", outcome.Stderr);
            Assert.Single(outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        Assert.Equal("error: option --tenant needs a value", (await Keys("create", "--tenant")).Stderr.Trim());
        Assert.Equal("", (await Keys("list")).Stdout);
    }

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }
}
