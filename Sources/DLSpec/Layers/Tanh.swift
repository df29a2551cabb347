import DLRuntime
import Foundation

/// `tanh`: hyperbolic tangent element-wise; σ'(z) = 1 − tanh(z)², computed from the output.
///
/// ```yaml
/// - tanh
/// ```
public struct Tanh: ActivationLayerKind, ParameterlessLayerKind {
  public static let name = "tanh"
  public static let summary = "hyperbolic tangent"
  public init() {}

  /// |z| > 4 ⇔ |tanh z| > tanh 4 ≈ 0.9993.
  public var saturation: Saturation? {
    let high = Foundation.tanh(Saturation.limit)
    return .beyond(limit: Saturation.limit, low: -high, high: high)
  }

  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func activation<T: DLScalar>(_ type: T.Type) -> ActivationKernel<T> {
    ActivationKernel(TanhFunction.self, 0)
  }
}
