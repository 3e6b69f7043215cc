using System.Runtime.InteropServices;

namespace Provocapi.Engine.Tensors;

/// <summary>Native memory allocated while a model is built (weights made or converted at load time), freed together,
/// along with anything else the model owns (<see cref="Own"/>).</summary>
public sealed unsafe class NativeBuffers : IDisposable
{
    readonly List<nint> _blocks = [];
    readonly List<IDisposable> _owned = [];

    /// <summary>Cache-line-aligned, uninitialized.</summary>
    public byte* Allocate(long bytes)
    {
        var p = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), NativeBuffer.Alignment);
        _blocks.Add((nint)p);
        return p;
    }

    /// <summary>Disposes <paramref name="other"/> with these buffers (after them).</summary>
    public void Own(IDisposable other) => _owned.Add(other);

    public void Dispose()
    {
        foreach (var p in _blocks) NativeMemory.AlignedFree((void*)p);
        _blocks.Clear();
        foreach (var other in _owned) other.Dispose();
        _owned.Clear();
    }
}
