using System.Text;

namespace Provocapi.Host.Modules.Cluster.Gateway;

/// <summary>Reads a server-sent event stream one event at a time: its lines up to and including the blank line that ends it.</summary>
public sealed class SseEventReader(Stream stream)
{
    readonly StreamReader _reader = new(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);

    /// <summary>The next event's text, ending in a blank line; null at the end of the stream (a cut-off last event is dropped).</summary>
    public async Task<string?> ReadAsync(CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (text.Length == 0) continue;
                return text.Append('\n').ToString();
            }
            text.Append(line).Append('\n');
        }
        return null;
    }
}
