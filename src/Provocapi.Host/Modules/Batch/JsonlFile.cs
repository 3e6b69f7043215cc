using System.Text;

namespace Provocapi.Host.Modules.Batch;

/// <summary>
/// How a batch file splits into requests, the same when the upload is counted and when it is validated: lines end at
/// <c>\n</c> (a <c>\r</c> before it is dropped), and a line of only spaces, tabs and <c>\r</c> is blank.
/// </summary>
public static class JsonlFile
{
    public static bool IsBlankByte(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r';

    public static bool IsBlank(string line) => line.All(c => c is ' ' or '\t' or '\r');

    public static IEnumerable<string> Lines(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var line = new StringBuilder();
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (c != '\n')
            {
                line.Append((char)c);
                continue;
            }
            yield return Text(line);
            line.Clear();
        }
        if (line.Length > 0) yield return Text(line);
    }

    static string Text(StringBuilder line) => line.Length > 0 && line[^1] == '\r' ? line.ToString(0, line.Length - 1) : line.ToString();
}
