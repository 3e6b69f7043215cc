using System.Runtime.InteropServices;

namespace Provocapi.Engine.Tensors;

/// <summary>An aligned block of unmanaged memory that owns what it points to, e.g. weights built or converted at load time.</summary>
public sealed unsafe class NativeBuffer : IDisposable
{
    /// <summary>Alignment of <see cref="Pointer"/>: a cache line, which also suits any vector load.</summary>
    public const int Alignment = 64;

    public byte* Pointer { get; private set; }
    public long Length { get; }

    public NativeBuffer(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        Pointer = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(length, 1), Alignment);
        NativeMemory.Clear(Pointer, (nuint)length);
        GC.AddMemoryPressure(Math.Max(length, 1));
    }

    public Span<byte> Span => Length <= int.MaxValue ? new(Pointer, (int)Length) : throw new InvalidOperationException($"a buffer of {Length} bytes is too large for a span");

    public void Dispose()
    {
        if (Pointer == null) return;
        NativeMemory.AlignedFree(Pointer);
        Pointer = null;
        GC.RemoveMemoryPressure(Math.Max(Length, 1));
        GC.SuppressFinalize(this);
    }

    ~NativeBuffer() => Dispose();
}
