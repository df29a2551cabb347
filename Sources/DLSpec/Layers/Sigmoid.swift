import DLRuntime
import Foundation

/// `sigmoid`: e^z / (1 + e^z) element-wise; σ' = σ(1 − σ) ≤ 1/4, which is why deep sigmoid
/// stacks lose their gradient (§4.3, (4.21)).
///
/// ```yaml
/// - sigmoid
/// ```
public struct Sigmoid: ActivationLayerKind, ParameterlessLayerKind {
  public static let name = "sigmoid"
  public static let summary = "logistic sigmoid e^z / (1 + e^z)"
  public init() {}

  /// σ' ≤ 1/4: deep stacks shrink gradients at least 4× per layer ((4.21)).
  public var derivativeBound: Double? { 0.25 }

  /// |z| > 4 ⇔ σ(z) outside [σ(−4), σ(4)] ≈ [0.018, 0.982].
  public var saturation: Saturation? {
    let high = 1 / (1 + Foundation.exp(-Saturation.limit))
    return .beyond(limit: Saturation.limit, low: 1 - high, high: high)
  }

  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func activation<T: DLScalar>(_ type: T.Type) -> ActivationKernel<T> {
    ActivationKernel(SigmoidFunction.self, 0)
  }
}
