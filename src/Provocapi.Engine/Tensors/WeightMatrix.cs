using Provocapi.Engine.Formats.Gguf;

namespace Provocapi.Engine.Tensors;

/// <summary>
/// A row-major weight matrix whose rows are stored in <see cref="Type"/>: row r holds output feature r's weights over
/// all input features. GGUF stores a tensor of shape [columns, rows] exactly this way, and so do safetensors [out, in].
/// It does not own <see cref="Data"/>: that points into a memory map or a buffer someone else keeps alive.
/// </summary>
public sealed unsafe class WeightMatrix
{
    public string Name { get; }
    public TensorType Type { get; }

    /// <summary>Output features.</summary>
    public int Rows { get; }

    /// <summary>Input features: the length of a row in elements, a whole number of the type's blocks.</summary>
    public int Columns { get; }

    public byte* Data { get; }
    public long RowBytes { get; }

    /// <summary>Q8_0 rows regrouped eight at a time (<see cref="Q8_0RowGroups"/>) rather than stored row after row.</summary>
    public bool Grouped { get; }

    public WeightMatrix(string name, TensorType type, int rows, int columns, byte* data, bool grouped = false)
    {
        if (grouped && !Q8_0RowGroups.Fits(type, rows)) throw new ArgumentException($"{name}: only Q8_0 matrices with a multiple of {Q8_0RowGroups.Rows} rows can be regrouped, not {rows} rows of {TensorTypeInfo.Name(type)}");
        if (!TensorTypeInfo.IsSupported(type)) throw new NotSupportedException($"{name}: tensor type {TensorTypeInfo.Name(type)} is not supported");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentNullException.ThrowIfNull(data);
        Name = name;
        Type = type;
        Rows = rows;
        Columns = columns;
        Data = data;
        RowBytes = TensorTypeInfo.RowBytes(type, columns);
        Grouped = grouped;
    }

    public long ByteSize => RowBytes * Rows;

    /// <summary>Row r's bytes; a regrouped matrix has no rows of its own (see <see cref="Q8_0RowGroups.CopyRow"/>).</summary>
    public byte* Row(int r) => Grouped ? throw new InvalidOperationException($"{Name}: the rows are regrouped") : Data + r * RowBytes;

    /// <summary>Whether <see cref="Regroup"/> applies: Q8_0 with whole groups of rows.</summary>
    public bool CanRegroup => !Grouped && Q8_0RowGroups.Fits(Type, Rows);

    /// <summary>This matrix regrouped into <paramref name="destination"/> (<see cref="ByteSize"/> bytes, which may be
    /// <see cref="Data"/> itself).</summary>
    public WeightMatrix Regroup(byte* destination)
    {
        if (!CanRegroup) throw new InvalidOperationException($"{Name}: a {Rows}-row {TensorTypeInfo.Name(Type)} matrix cannot be regrouped");
        Q8_0RowGroups.Interleave(Data, destination, Rows, Columns);
        return new WeightMatrix(Name, Type, Rows, Columns, destination, grouped: true);
    }

    /// <summary>A two-dimensional GGUF tensor as a matrix; valid while <paramref name="file"/> is open.</summary>
    public static WeightMatrix FromGguf(GgufFile file, GgufTensorInfo info)
    {
        if (info.Shape.Length != 2 || info.Shape[0] > int.MaxValue || info.Shape[1] > int.MaxValue)
            throw new InvalidDataException($"{file.Path}: tensor '{info.Name}' of shape [{string.Join(", ", info.Shape)}] is not a matrix");
        return new WeightMatrix(info.Name, info.Type, (int)info.Shape[1], (int)info.Shape[0], file.TensorData(info));
    }
}
