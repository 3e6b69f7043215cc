namespace Provocapi.Engine.Tensors;

public sealed unsafe class WeightMatrix(string name, TensorType type, int rows, int columns, byte* data)
{
    public string Name { get; } = name;
    public TensorType Type { get; } = type;
    public int Rows { get; } = rows;
    public int Columns { get; } = columns;
    public byte* Data { get; } = data;
    public long RowBytes { get; } = TensorTypeInfo.RowBytes(type, columns);
    public byte* Row(int r) => Data + r * RowBytes;
}
