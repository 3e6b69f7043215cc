using System.IO.MemoryMappedFiles;

namespace Provocapi.Engine.Formats;

/// <summary>A read-only memory map of a whole file. Weights are read in place from it, never copied onto the managed heap.</summary>
public sealed unsafe class MappedFile : IDisposable
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

    public void Dispose()
    {
        if (_pointer == null) return;
        _pointer = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
