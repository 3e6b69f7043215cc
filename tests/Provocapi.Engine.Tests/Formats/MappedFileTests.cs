using System.Runtime.InteropServices;
using Provocapi.Engine.Formats;

namespace Provocapi.Engine.Tests.Formats;

public sealed unsafe class MappedFileTests
{
    /// <summary>Released pages come back from the file when read again; a range outside the map (where the same call
    /// would zero the process's own memory) is refused.</summary>
    [Fact]
    public void Released_pages_read_back_from_the_file_and_other_memory_is_refused()
    {
        var path = Path.GetTempFileName();
        try
        {
            var bytes = new byte[5 * Environment.SystemPageSize + 123];
            new Random(3).NextBytes(bytes);
            File.WriteAllBytes(path, bytes);
            using var file = new MappedFile(path);
            var start = file.At(0, bytes.Length);
            Assert.Equal(bytes, file.Span(0, bytes.Length).ToArray());
            file.ReleasePages(start + 10, bytes.Length - 20);
            Assert.Equal(bytes, file.Span(0, bytes.Length).ToArray());
            var outside = (nint)NativeMemory.Alloc(16);
            try { Assert.Throws<ArgumentOutOfRangeException>(() => file.ReleasePages((byte*)outside, 16)); }
            finally { NativeMemory.Free((void*)outside); }
            var inside = (nint)(start + 100);
            Assert.Throws<ArgumentOutOfRangeException>(() => file.ReleasePages((byte*)inside, bytes.Length));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
