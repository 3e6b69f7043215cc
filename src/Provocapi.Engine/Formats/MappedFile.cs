using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Provocapi.Engine.Formats;

/// <summary>A read-only memory map of a whole file. Weights are read in place from it, never copied onto the managed heap.</summary>
public sealed unsafe partial class MappedFile : IDisposable
{
    readonly MemoryMappedFile _map;
    readonly MemoryMappedViewAccessor _view;
    byte* _pointer;

    public string Path { get; }
    public long Length { get; }

    public MappedFile(string path)
    {
        Path = path;
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: file not found");
        Length = new FileInfo(path).Length;
        if (Length == 0) throw new ModelFormatException($"{path}: the file is empty");
        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _pointer);
        _pointer += _view.PointerOffset;
    }

    /// <summary>The address of byte <paramref name="offset"/>, checked to leave <paramref name="length"/> bytes inside the file.</summary>
    public byte* At(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
            throw new ModelFormatException($"{Path}: {length} bytes at offset {offset} run past the end of the file ({Length} bytes); the file is truncated or corrupt");
        return _pointer + offset;
    }

    public ReadOnlySpan<byte> Span(long offset, int length) => new(At(offset, length), length);

    /// <summary>Drops the whole pages of [start, start + length), which must lie in this map, from the process's resident
    /// memory (Linux; elsewhere a no-op). For data copied out at load time: the pages stay in the page cache and are read
    /// again if touched, but the process no longer counts them twice. Anywhere else the same call would zero memory, so
    /// a range outside the map is refused.</summary>
    public void ReleasePages(byte* start, long length)
    {
        if (_pointer == null) throw new ObjectDisposedException(Path);
        if (length < 0 || start < _pointer || start > _pointer + Length - length)
            throw new ArgumentOutOfRangeException(nameof(start), $"{Path}: {length} bytes at {(nuint)start:x} are not inside the map");
        if (!OperatingSystem.IsLinux() || length == 0) return;
        var page = Environment.SystemPageSize;
        var first = ((nuint)start + (nuint)page - 1) & ~(nuint)(page - 1);
        var end = ((nuint)start + (nuint)length) & ~(nuint)(page - 1);
        if (end > first) _ = Madvise((void*)first, end - first, MadviseDontNeed);
    }

    const int MadviseDontNeed = 4;

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);

    public void Dispose()
    {
        if (_pointer == null) return;
        _pointer = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
