using System.Globalization;
using Provocapi.Engine.KvCache;

namespace Provocapi.Host.Cli;

/// <summary>A verb's arguments: <c>--name value</c> options, <c>--flag</c> switches and positional words.</summary>
public sealed class CommandLineOptions
{
    static readonly HashSet<string> Flags = ["--jsonl", "--no-special", "--ids", "--json", "--rate-limited"];

    readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    public static CommandLineOptions Parse(string[] args)
    {
        var options = new CommandLineOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (Flags.Contains(a)) options._flags.Add(a);
            else if (IsOption(a))
            {
                // An option where its value should be means the value is missing, not that the option is the value
                // (keys create --tenant --data DIR would otherwise name a tenant "--data").
                if (i + 1 >= args.Length || IsOption(args[i + 1]))
                    throw new CommandLineException($"option {a} needs a value");
                options._values[a] = args[++i];
            }
            else options.Positional.Add(a);
        }
        return options;
    }

    /// <summary>A word starting with '-' that is not a number (negative numbers are values).</summary>
    static bool IsOption(string word) => word.StartsWith('-') && word.Length > 1 && !double.TryParse(word, CultureInfo.InvariantCulture, out _);

    public bool Flag(string name) => _flags.Contains(name);

    public string? String(params string[] names)
    {
        foreach (var n in names)
        {
            _read.Add(n);
            if (_values.TryGetValue(n, out var v)) return v;
        }
        return null;
    }

    public string Required(string name, string what) => String(name) ?? throw new CommandLineException($"{name} is required ({what})");

    public int Int(int fallback, params string[] names) => Parse(names, fallback, s => int.Parse(s, CultureInfo.InvariantCulture));

    public float Float(float fallback, params string[] names) => Parse(names, fallback, s => float.Parse(s, CultureInfo.InvariantCulture));

    public long? Long(params string[] names) => String(names) is { } s
        ? long.TryParse(s, CultureInfo.InvariantCulture, out var v) ? v : throw new CommandLineException($"{names[0]} must be an integer, not '{s}'")
        : null;

    /// <summary><c>--kv-cache-type f32|f16</c>, F32 when not given.</summary>
    public KvCacheType KvCacheType() => String("--kv-cache-type")?.ToLowerInvariant() switch
    {
        null or "f32" => Engine.KvCache.KvCacheType.F32,
        "f16" => Engine.KvCache.KvCacheType.F16,
        var other => throw new CommandLineException($"--kv-cache-type must be f32 or f16, not '{other}'"),
    };

    T Parse<T>(string[] names, T fallback, Func<string, T> parse)
    {
        var s = String(names);
        if (s == null) return fallback;
        try { return parse(s); }
        catch (FormatException) { throw new CommandLineException($"{names[0]} must be a number, not '{s}'"); }
        catch (OverflowException) { throw new CommandLineException($"{names[0]} is out of range: '{s}'"); }
    }

    /// <summary>Fails on options the verb did not ask for, so a typo is not silently ignored.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.FirstOrDefault(k => !_read.Contains(k));
        if (unknown != null) throw new CommandLineException($"unknown option {unknown}");
    }
}
