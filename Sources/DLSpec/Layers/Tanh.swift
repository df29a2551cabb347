import DLRuntime

/// `tanh`: hyperbolic tangent element-wise; σ'(z) = 1 − tanh(z)², computed from the output.
///
/// ```yaml
/// - tanh
/// ```
public struct Tanh: ActivationLayerKind, ParameterlessLayerKind {
  public static let name = "tanh"
  public static let summary = "hyperbolic tangent"
  public init() {}

  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func activation<T: DLScalar>(_ type: T.Type) -> ActivationKernel<T> {
    ActivationKernel(TanhFunction.self, 0)
  }
}
