namespace Provocapi.Engine.Tensors;

/// <summary>
/// Q8_0 rows regrouped eight at a time, the layout the matrix multiply reads fastest (llama.cpp repacks Q8_0 the same
/// way for its CPU kernels). Per group of eight rows and per 32-column block: the eight rows' fp16 scales (16 bytes),
/// then 256 bytes of values in which word k of row i (values 4k..4k+3) sits at byte 32k + 4i, so one 32-byte load
/// holds four values of each of the eight rows. A group's blocks follow one another, and the groups follow one another:
/// the same bytes as eight Q8_0 rows, in one sequential stream.
/// </summary>
public static unsafe class Q8_0RowGroups
{
    public const int Rows = 8;

    /// <summary>A block of a group: eight scales and eight rows' 32 values.</summary>
    public const int BlockBytes = Rows * 2 + Rows * 32;

    static readonly int BlockValues = TensorTypeInfo.BlockElements(TensorType.Q8_0);
    static readonly int RowBlockBytes = TensorTypeInfo.BlockBytes(TensorType.Q8_0);

    /// <summary>Whether a matrix of this type and height can be regrouped.</summary>
    public static bool Fits(TensorType type, int rows) => type == TensorType.Q8_0 && rows % Rows == 0;

    /// <summary>Regroups <paramref name="rows"/> Q8_0 rows from <paramref name="source"/> into <paramref name="destination"/>,
    /// which may be the same memory.</summary>
    public static void Interleave(byte* source, byte* destination, int rows, int columns)
    {
        if (!Fits(TensorType.Q8_0, rows)) throw new ArgumentException($"{rows} rows are not whole groups of {Rows}", nameof(rows));
        var blocks = columns / BlockValues;
        var groupBytes = (long)Rows * blocks * RowBlockBytes;
        // In place, each group is read from a copy of itself; from other memory, straight from the source.
        var inPlace = source == destination;
        fixed (byte* copy = inPlace ? new byte[groupBytes] : null)
        {
            for (long g = 0; g < rows / Rows; g++)
            {
                var input = source + g * groupBytes;
                if (inPlace)
                {
                    Buffer.MemoryCopy(input, copy, groupBytes, groupBytes);
                    input = copy;
                }
                var output = destination + g * groupBytes;
                for (var b = 0; b < blocks; b++, output += BlockBytes)
                    for (var i = 0; i < Rows; i++)
                    {
                        var block = input + ((long)i * blocks + b) * RowBlockBytes;
                        ((ushort*)output)[i] = *(ushort*)block;
                        for (var k = 0; k < BlockValues / 4; k++)
                            ((uint*)(output + Rows * 2))[k * Rows + i] = ((uint*)(block + 2))[k];
                    }
            }
        }
    }

    /// <summary>Row <paramref name="row"/> of a regrouped matrix back in the Q8_0 row layout.</summary>
    public static void CopyRow(byte* grouped, int row, int columns, Span<byte> destination)
    {
        var blocks = columns / BlockValues;
        var rowBytes = TensorTypeInfo.RowBytes(TensorType.Q8_0, columns);
        if (destination.Length != rowBytes) throw new ArgumentException($"a row of {columns} Q8_0 values takes {rowBytes} bytes, not {destination.Length}", nameof(destination));
        var i = row % Rows;
        var input = grouped + (long)(row / Rows) * Rows * blocks * RowBlockBytes;
        fixed (byte* output = destination)
        {
            for (var b = 0; b < blocks; b++, input += BlockBytes)
            {
                var block = output + b * RowBlockBytes;
                *(ushort*)block = ((ushort*)input)[i];
                for (var k = 0; k < BlockValues / 4; k++)
                    ((uint*)(block + 2))[k] = ((uint*)(input + Rows * 2))[k * Rows + i];
            }
        }
    }
}
