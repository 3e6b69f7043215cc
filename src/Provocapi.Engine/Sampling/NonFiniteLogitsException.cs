namespace Provocapi.Engine.Sampling;

/// <summary>A step's logits hold a NaN or an infinity: the forward pass overflowed (weights, or an adapter's scale, too
/// large for floats), so no token can be drawn from them, greedily or not.</summary>
public sealed class NonFiniteLogitsException() : Exception("the model's logits are NaN or infinite: its forward pass overflowed (the weights, or an adapter's, are too large)");
