using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Models.Loading;

/// <summary>Named weights of a checkpoint, checked against the shape the model expects.</summary>
public interface ITensorSource : IDisposable
{
    string Path { get; }
    bool Has(string name);
    /// <summary>A (rows, columns) matrix read in place; a shape or type mismatch is a clear error.</summary>
    WeightMatrix Matrix(string name, int rows, int columns);
    /// <summary>The caller has copied <paramref name="matrix"/> and will not read it here again: its memory may go.</summary>
    void Release(WeightMatrix matrix);
    /// <summary>A small vector (norm weights, biases), converted to floats.</summary>
    float[] Vector(string name, int length);
}
