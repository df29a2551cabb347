import DLRuntime

/// `relu`: max(z, 0) element-wise. Gradient 1 for z > 0 and 0 for z ≤ 0 (a choice at the kink
/// z = 0, which gradcheck skips).
///
/// ```yaml
/// - relu
/// ```
public struct ReLU: ActivationLayerKind, ParameterlessLayerKind {
  public static let name = "relu"
  public static let summary = "rectified linear unit max(z, 0)"
  public init() {}

  /// Dead where z ≤ 0: the output is then exactly 0.
  public var saturation: Saturation? { .nonPositive }

  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func activation<T: DLScalar>(_ type: T.Type) -> ActivationKernel<T> {
    ActivationKernel(ReLUFunction.self, 0)
  }
}
