import DLRuntime

/// `sigmoid`: e^z / (1 + e^z) element-wise; σ' = σ(1 − σ) ≤ 1/4, which is why deep sigmoid
/// stacks lose their gradient (§4.3, (4.21)).
///
/// ```yaml
/// - sigmoid
/// ```
public struct Sigmoid: ElementwiseLayerKind, ParameterlessLayerKind {
  public static let name = "sigmoid"
  public static let summary = "logistic sigmoid e^z / (1 + e^z)"
  public init() {}
}
