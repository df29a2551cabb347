import DLRuntime

/// `tanh`: hyperbolic tangent element-wise; σ'(z) = 1 − tanh(z)², computed from the output.
///
/// ```yaml
/// - tanh
/// ```
public struct Tanh: ElementwiseLayerKind, ParameterlessLayerKind {
  public static let name = "tanh"
  public static let summary = "hyperbolic tangent"
  public init() {}
}
