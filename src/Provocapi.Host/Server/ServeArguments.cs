using Provocapi.Host.Cli;
using Provocapi.Host.Platform.Cluster;

namespace Provocapi.Host.Server;

/// <summary>
/// The <c>serve</c> verb's own flags (<c>--data</c>, <c>--model ID=PATH</c>, <c>--config FILE</c>, <c>--role all|gateway|worker</c>), taken out of the
/// arguments; everything else (<c>--urls</c>, <c>--Section:Key=value</c>) goes to ASP.NET Core's configuration.
/// </summary>
public sealed record ServeArguments(string? DataDirectory, IReadOnlyList<(string Id, string Path)> Models, string? ConfigFile, string[] HostArguments)
{
    /// <summary>The <c>--role</c> flag, checked; null when not given.</summary>
    public string? Role { get; init; }

    public static ServeArguments Parse(string[] args)
    {
        string? data = null, config = null, role = null;
        var models = new List<(string, string)>();
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var (name, value) = Split(args[i]);
            if (name is "--data" or "--model" or "--config" or "--role")
            {
                if (value == null)
                {
                    if (i + 1 >= args.Length) throw new CommandLineException($"option {name} needs a value");
                    value = args[++i];
                }
                switch (name)
                {
                    case "--data": data = value; break;
                    case "--config": config = value; break;
                    case "--role": role = CheckRole(value); break;
                    default: models.Add(ParseModel(value)); break;
                }
            }
            else if (args[i].StartsWith('-')) rest.Add(args[i]);
            else if (rest.Count > 0 && rest[^1].StartsWith("--", StringComparison.Ordinal) && !rest[^1].Contains('=')) rest.Add(args[i]);
            else throw new CommandLineException($"unexpected argument '{args[i]}'");
        }
        return new ServeArguments(data, models, config, [.. rest]) { Role = role };
    }

    static string CheckRole(string value)
    {
        try { ClusterRoles.Parse(value); }
        catch (InvalidOperationException e) { throw new CommandLineException($"--role: {e.Message}"); }
        return value;
    }

    static (string Name, string? Value) Split(string arg)
    {
        var eq = arg.IndexOf('=');
        return arg.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }

    static (string, string) ParseModel(string value)
    {
        var eq = value.IndexOf('=');
        if (eq <= 0 || eq == value.Length - 1) throw new CommandLineException($"--model wants ID=PATH, not '{value}'");
        return (value[..eq], value[(eq + 1)..]);
    }
}
