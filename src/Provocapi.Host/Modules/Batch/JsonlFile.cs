using System.Text;
using System.Text.Unicode;

namespace Provocapi.Host.Modules.Batch;

/// <summary>
/// How a batch file splits into requests, the same when the upload is counted and when it is validated: lines end at
/// <c>\n</c> (a <c>\r</c> before it is dropped, and a byte order mark before the first), and a line of only spaces,
/// tabs and <c>\r</c> is blank. A line that is not valid UTF-8 comes as null rather than with its bytes replaced, which
/// would change a <c>custom_id</c> or a prompt without a word.
/// </summary>
public static class JsonlFile
{
    public static bool IsBlankByte(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r';

    public static bool IsBlank(string line) => line.All(c => c is ' ' or '\t' or '\r');

    public static IEnumerable<string?> Lines(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
        var buffer = new byte[64 * 1024];
        using var line = new MemoryStream();
        var first = true;
        int read;
        while ((read = file.Read(buffer, 0, buffer.Length)) > 0)
        {
            var from = 0;
            for (var end = Array.IndexOf(buffer, (byte)'\n', 0, read); end >= 0; end = Array.IndexOf(buffer, (byte)'\n', from, read - from))
            {
                line.Write(buffer, from, end - from);
                yield return Take(line, first);
                first = false;
                from = end + 1;
            }
            line.Write(buffer, from, read - from);
        }
        if (line.Length > 0) yield return Take(line, first);
    }

    /// <summary>The line's text, emptying <paramref name="line"/>; null when its bytes are not UTF-8.</summary>
    static string? Take(MemoryStream line, bool first)
    {
        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        if (first && bytes.StartsWith(Encoding.UTF8.Preamble)) bytes = bytes[Encoding.UTF8.Preamble.Length..];
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        var text = Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : null;
        line.SetLength(0);
        return text;
    }
}
